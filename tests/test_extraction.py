"""Hard cases for the extraction, with the real French model and the shipped KB.

Each case is a sentence written for the test (not taken from the sample), covering
one pattern or its negative; the expected facts are asserted exactly."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.model


def relations(result) -> set[tuple]:
    return {(r.subject.text, r.predicate, r.object.text, r.role) for r in result.relations}


def claims(result) -> set[tuple]:
    return {(c.speaker.text, c.stance) for c in result.claims}


ROLE_CASES = [
    ("Le PDG d'OpenAI, Sam Altman, a annoncé un nouveau modèle.",
     {("Sam Altman", "worksFor", "OpenAI", "PDG")}),
    ("Le patron de Nvidia Jensen Huang a rencontré des clients à Paris.",
     {("Jensen Huang", "worksFor", "Nvidia", "patron")}),
    ("Yann LeCun, directeur scientifique de Meta, voyage beaucoup.",
     {("Yann LeCun", "worksFor", "Meta", "directeur scientifique")}),
    ("Arthur Mensch, cofondateur et PDG de Mistral AI, voyage beaucoup.",
     {("Arthur Mensch", "worksFor", "Mistral AI", "cofondateur et PDG"),
      ("Mistral AI", "founder", "Arthur Mensch", None)}),
    ("Nous avons reçu Jeff Boudier de Hugging Face.", {("Jeff Boudier", "worksFor", "Hugging Face", None)}),
    ("Les responsables de l'IA chez Google, Demis Hassabis et Koray Kavukcuoglu, ainsi que Sundar Pichai, "
     "travaillent ensemble.",
     {("Demis Hassabis", "worksFor", "Google", "responsable de l'IA"),
      ("Koray Kavukcuoglu", "worksFor", "Google", "responsable de l'IA")}),
    ("Arthur Mensch, qui dirige Mistral AI, a rencontré Emmanuel Macron.",
     {("Arthur Mensch", "worksFor", "Mistral AI", None)}),
    ("Mistral AI, dirigée par Arthur Mensch, lève des fonds.", {("Arthur Mensch", "worksFor", "Mistral AI", None)}),
    ("Sam Altman (OpenAI) était présent.", {("Sam Altman", "worksFor", "OpenAI", None)}),
    ("Guillaume Lample, venu de Meta, est le directeur scientifique de Mistral AI, et Timothée Lacroix son "
     "directeur technique.",
     {("Guillaume Lample", "worksFor", "Mistral AI", "directeur scientifique"),
      ("Timothée Lacroix", "worksFor", "Mistral AI", "directeur technique")}),
    ("La présidente de la Commission européenne, Ursula von der Leyen, a annoncé un plan.",
     {("Ursula von der Leyen", "worksFor", "Commission européenne", "présidente")}),
    ("Julien Marchetti, responsable de l'innovation chez Hélix Propulsion, teste l'outil.",
     {("Julien Marchetti", "worksFor", "Hélix Propulsion", "responsable de l'innovation")}),
    ("Li Na, analyste au cabinet pékinois Huaxin Insights, reste prudente.",
     {("Li Na", "worksFor", "Huaxin Insights", "analyste")}),
    ("Pour Sundar Pichai, PDG de Google et d’Alphabet, tout change.",
     {("Sundar Pichai", "worksFor", "Google", "PDG"), ("Sundar Pichai", "worksFor", "Alphabet", "PDG")}),
    ("Igor Babuschkin, cofondateur de xAI, était là.", {("xAI", "founder", "Igor Babuschkin", None)}),
    # negatives: a former office, a title that belongs to the person before it
    ("Eric Schmidt, l'ancien patron de Google, investit.", set()),
    ("Le budget vient de Xavier Niel, le fondateur d'Iliad, Rodolphe Saadé, PDG de CMA CGM, et d'autres.",
     {("Iliad", "founder", "Xavier Niel", None), ("Rodolphe Saadé", "worksFor", "CMA CGM", "PDG")}),
    # negatives: "de ORG" attached to the verb, a title with no name, a possessive
    ("Que pense Sam Altman de DeepSeek ?", set()),
    ("Le patron de Nvidia a rencontré Sam Altman à Paris.", set()),
    ("La vision de Zuckerberg reste floue.", set()),
]

FOUNDER_CASES = [
    ("Demis Hassabis a cofondé DeepMind en 2010 avec Shane Legg et Mustafa Suleyman.",
     {("DeepMind", "founder", p, None) for p in ("Demis Hassabis", "Shane Legg", "Mustafa Suleyman")}),
    ("Cordelia Santé, fondée en 2022 par Anne-Laure Quéméner, médecin urgentiste, et Théo Brunel, ingénieur, "
     "avance.",
     {("Cordelia Santé", "founder", p, None) for p in ("Anne-Laure Quéméner", "Théo Brunel")}),
    ("Liang Wenfeng, qui a fondé DeepSeek, reste discret.", {("DeepSeek", "founder", "Liang Wenfeng", None)}),
    ("Arthur Mensch, Guillaume Lample et Timothée Lacroix ont fondé Mistral AI en 2023.",
     {("Mistral AI", "founder", p, None) for p in ("Arthur Mensch", "Guillaume Lample", "Timothée Lacroix")}),
    ("Mistral AI a été fondée en 2023 par Arthur Mensch, Guillaume Lample et Timothée Lacroix.",
     {("Mistral AI", "founder", p, None) for p in ("Arthur Mensch", "Guillaume Lample", "Timothée Lacroix")}),
    ("Microsoft et OpenAI ont signé un accord.", set()),
]

MODEL_CASES = [
    ("Meta a lancé Llama 3 en avril.", {("Llama 3", "creator", "Meta", None)}),
    ("Le modèle Ernie 4.5 Turbo de Baidu impressionne les analystes.",
     {("Ernie 4.5 Turbo", "creator", "Baidu", None)}),
    ("Gemini (Google) progresse face à GPT-4o d'OpenAI.",
     {("Gemini", "creator", "Google", None), ("GPT-4o", "creator", "OpenAI", None)}),
    ("LLaMA 2, le modèle d'IA open source de Meta, a été téléchargé des millions de fois.",
     {("LLaMA 2", "creator", "Meta", None)}),
    ("La start-up Kyutai, fondée par Patrick Pérez, a présenté Moshi.",
     {("Kyutai", "founder", "Patrick Pérez", None), ("Moshi", "creator", "Kyutai", None)}),
    ("Tencent a de son côté lancé fin février Hunyuan Turbo S, un modèle conçu pour répondre plus vite.",
     {("Hunyuan Turbo S", "creator", "Tencent", None)}),
    ("OpenAI, qui revendique 300 millions d'utilisateurs pour ChatGPT, avait lancé en mai GPT-4o.",
     {("GPT-4o", "creator", "OpenAI", None)}),
    ("Baidu a lancé dimanche deux nouveaux modèles, Ernie 4.5 et Ernie X1, pour regagner du terrain.",
     {("Ernie 4.5", "creator", "Baidu", None), ("Ernie X1", "creator", "Baidu", None)}),
    ("Mais le modèle de raisonnement o3-mini, lancé fin janvier par OpenAI, reste une référence.",
     {("o3-mini", "creator", "OpenAI", None)}),
    ("Moonshot AI, la start-up fondée par Yang Zhilin, mise sur son assistant Kimi.",
     {("Moonshot AI", "founder", "Yang Zhilin", None), ("Kimi", "creator", "Moonshot AI", None)}),
    ("Le COVID-19 a ralenti les ventes de 20 % en 2024.", set()),
    ("Microsoft utilise GPT-4o dans ses produits.", set()),
]


@pytest.mark.parametrize(("text", "expected"), ROLE_CASES + FOUNDER_CASES + MODEL_CASES)
def test_relations(analyse, text, expected):
    assert relations(analyse(text)) == expected


CLAIM_CASES = [
    ("« Nous devons réguler l'IA », a déclaré Thierry Breton.", {("Thierry Breton", "neutral")}),
    ("Jensen Huang, le patron de Nvidia, prédit que les GPU resteront rares jusqu'en 2027.",
     {("Jensen Huang", "prediction")}),
    ("Selon Yann LeCun, les grands modèles de langage ne suffiront pas.", {("Yann LeCun", "prediction")}),
    ("Pour Sam Altman, l'AGI arrivera d'ici 2030.", {("Sam Altman", "prediction")}),
    ("Elon Musk a critiqué OpenAI. Il a dénoncé une dérive commerciale.", {("Elon Musk", "criticism")}),
    ("Satya Nadella s'est dit inquiet de la concurrence chinoise.", {("Satya Nadella", "concern")}),
    ("Le dirigeant de Microsoft, Satya Nadella, a salué le partenariat.", {("Satya Nadella", "support")}),
    ("Les chercheurs Demis Hassabis et Yann LeCun, ainsi que Sundar Pichai, croient aux avantages de l'IA.",
     {("Demis Hassabis", "support"), ("Yann LeCun", "support"), ("Sundar Pichai", "support")}),
    ("Sam Altman était présent. « C'est un tournant », estime-t-il.", {("Sam Altman", "neutral")}),
    ("Sam Altman était présent. « C'est un tournant », a-t-il déclaré.", {("Sam Altman", "neutral")}),
    ("« C'est excessif », tempère Nadia Ferhat, associée chez Cassiopée Partners. Elle rappelle que les coûts pèsent.",
     {("Nadia Ferhat", "criticism"), ("Nadia Ferhat", "neutral")}),
    ("Emmanuel Macron, qui a reçu Arthur Mensch à l'Élysée, voit dans Mistral AI un symbole de souveraineté.",
     {("Emmanuel Macron", "neutral")}),
    ("Le docteur Jérôme Pelletier se dit convaincu : d'après lui, l'outil fait gagner une heure.",
     {("Jérôme Pelletier", "support")}),
    # negatives: no speaker, a question, an impersonal "il", a passive description
    ("Le marché de l'IA a progressé de 20 % en 2024.", set()),
    ("Que pense Sam Altman de DeepSeek ?", set()),
    ("Il est évident que le secteur traverse une période critique.", set()),
    ("Mistral AI est reconnue pour ses modèles ouverts.", set()),
]


@pytest.mark.parametrize(("text", "expected"), CLAIM_CASES)
def test_claims(analyse, text, expected):
    assert claims(analyse(text)) == expected


def test_pronoun_and_title_speakers(analyse):
    text = ("Clément Delangue, PDG de Hugging Face, a présenté ses résultats.\n"
            "Il a souligné que la concurrence chinoise inquiète.\n"
            "Le dirigeant craint une concentration du pouvoir.")
    result = analyse(text)
    assert [(c.speaker.text, c.stance) for c in result.claims] == [
        ("Clément Delangue", "concern"), ("Clément Delangue", "concern")]


def test_pull_quote_is_attributed_to_the_next_line(analyse):
    text = ("Il faut que l'IA reste ouverte à tous.\n"
            "Arthur Mensch, PDG de Mistral AI\n"
            "La suite de l'article parle d'autre chose.")
    result = analyse(text)
    assert [(c.speaker.text, c.kind) for c in result.claims] == [("Arthur Mensch", "direct")]
    assert result.claims[0].evidence.exact(text) == "Il faut que l'IA reste ouverte à tous."


def test_entities_types_and_repairs(analyse):
    text = ("Claude Dupont, chercheur chez Orange, teste Claude 3.5 Sonnet, PyTorch et QwQ-32B. "
            "Stephanie pense que Hugging Face progresse.")
    found = {(m.text, m.type) for m in analyse(text).mentions}
    assert found == {("Claude Dupont", "Person"), ("Orange", "Organization"), ("Claude 3.5 Sonnet", "AIModel"),
                     ("QwQ-32B", "AIModel"), ("Stephanie", "Person"), ("Hugging Face", "Organization")}


def test_company_name_used_for_its_model(analyse):
    text = "Parmi eux, QwQ-32B d'Alibaba ou encore DeepSeek. DeepSeek a levé des fonds."
    found = [(m.text, m.type) for m in analyse(text).mentions if m.text == "DeepSeek"]
    assert found == [("DeepSeek", "AIModel"), ("DeepSeek", "Organization")]


def test_boilerplate_lines_give_no_facts(analyse):
    text = "Lire aussi : Elon Musk a critiqué OpenAI\nLe marché progresse."
    result = analyse(text)
    assert result.mentions == () and result.claims == ()


def test_evidence_offsets_slice_the_text(analyse):
    text = "\ufeffLe PDG d'OpenAI, Sam Altman,\r\na salué GPT-4o. « C'est un tournant », a-t-il dit."
    result = analyse(text)
    for m in result.mentions:
        assert text[m.span.start : m.span.end] == m.text
    for r in result.relations:
        assert r.evidence.exact(text).strip() == r.evidence.exact(text)


MODEL_FACT_CASES = [
    ("Alibaba a publié QwQ-32B en mars 2025, un modèle open source.",
     {("QwQ-32B", "parameterCount", "32000000000"), ("QwQ-32B", "openness", "OpenSource"),
      ("QwQ-32B", "datePublished", "2025-03")}),
    ("Meta a dévoilé Llama 3.1 405B le 23 juillet 2024.",
     {("Llama 3.1 405B", "parameterCount", "405000000000"), ("Llama 3.1 405B", "datePublished", "2024-07-23")}),
    ("Le modèle Lucie compte 7 milliards de paramètres et ses poids ouverts sont téléchargeables.",
     {("Lucie", "parameterCount", "7000000000"), ("Lucie", "openness", "OpenWeights")}),
    # two models in one sentence: no sentence-level fact is attached to either
    ("Llama 2 est open source, contrairement à GPT-4.", set()),
    # a mixture of experts' name is not its parameter count
    ("Mixtral 8x7B impressionne.", set()),
]


@pytest.mark.parametrize(("text", "expected"), MODEL_FACT_CASES)
def test_model_facts(analyse, text, expected):
    assert {(f.model.text, f.attribute, f.value) for f in analyse(text).model_facts} == expected


def test_hedged_and_nested_attribution(analyse):
    result = analyse("Selon Les Echos, Sam Altman aurait déclaré que GPT-5 pourrait sortir cet été.")
    [claim] = result.claims
    assert claim.speaker.text == "Sam Altman"
    assert claim.reported_by is not None and claim.reported_by.text == "Les Echos"
    assert claim.hedge in ("selon", "aurait")
    plain = analyse("Sam Altman a déclaré que GPT-5 sortira cet été.").claims[0]
    assert plain.hedge is None and plain.reported_by is None
