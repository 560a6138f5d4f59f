"""How the view looks: colours, shapes and French labels per entity type, stance and relation.

The legend (``kg/web/templates/view.html.j2``) and the drawing (:mod:`kg.viz.render`) read
the same tables; :mod:`kg.viz.graph` takes its type priority and stance names from them.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class _TypeStyle:
    label: str  # French, as shown in the legend and tooltips
    color: str
    shape: str  # vis-network shape
    css: str  # the legend swatch's CSS class


TYPE_STYLES: dict[str, _TypeStyle] = {
    "Person": _TypeStyle("Personne", "#4e79a7", "dot", "dot"),
    "Organization": _TypeStyle("Organisation", "#f28e2b", "square", "square"),
    "AIModel": _TypeStyle("Modèle d’IA", "#59a14f", "diamond", "diamond"),
}

# stance -> (colour, French label)
STANCE_STYLES: dict[str, tuple[str, str]] = {
    "concern": ("#d62728", "inquiétude"),
    "support": ("#2ca02c", "soutien"),
    "criticism": ("#9467bd", "critique"),
    "prediction": ("#1f77b4", "prédiction"),
    "neutral": ("#8c8c8c", "neutre"),
}

# relation kind -> (colour, edge label, legend entry); worksFor edges show the role title when known
RELATION_STYLES: dict[str, tuple[str, str, str]] = {
    "worksFor": ("#555555", "travaille pour", "rôle (PDG, chercheur…)"),
    "founder": ("#8c564b", "fondateur", "fondateur"),
    "creator": ("#17becf", "développeur", "développeur (modèle → organisation)"),
}

MAX_EVIDENCE_SHOWN = 5  # per tooltip: long lists make the tooltip unreadable
