"""The markup of newskg's pages: one Jinja environment over ``templates/`` and ``static/``.

Templates (``templates/*.j2``) are rendered with autoescape on, so any text a
template receives is escaped; only two kinds of value are marked safe: the
package's own static files (``static/*``: CSS and JS, inlined so that each page
works offline and a Content-Security-Policy can pin its scripts by hash), and
JSON data made safe for ``<script>`` by :func:`safe_json`.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from importlib.resources import files
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup

from kg.errors import ExportError

_JSON_ESCAPES = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}


def safe_json(value: Any) -> Markup:
    """JSON that can sit inside ``<script>``: no ``</script>`` or ``<!--`` can appear in it."""
    text = json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return Markup(re.sub("[<>&\u2028\u2029]", lambda m: _JSON_ESCAPES[m.group()], text))


@lru_cache(maxsize=32)
def static(name: str) -> Markup:
    """A file of ``kg/web/static``, to inline in a page (trusted: it ships with the package)."""
    return Markup(files("kg.web").joinpath("static", name).read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def environment() -> Environment:
    """The one Jinja environment of the package (autoescape on, unknown names are errors)."""
    env = Environment(loader=PackageLoader("kg.web", "templates"), autoescape=True,
                      keep_trailing_newline=True, undefined=StrictUndefined)
    env.globals["static"] = static
    return env


def render(template: str, **context: Any) -> str:
    """Render ``templates/<template>`` with ``context``."""
    return environment().get_template(template).render(**context)


@lru_cache(maxsize=1)
def vis_assets() -> tuple[str, str]:
    """vis-network's script and stylesheet, as shipped inside the pyvis package."""
    import pyvis

    root = Path(pyvis.__file__).parent
    candidates = sorted((*root.glob("templates/lib/vis-*/vis-network.min.js"),
                         *root.glob("lib/vis-*/vis-network.min.js")),
                        key=lambda p: tuple(int(x) for x in re.findall(r"\d+", p.parent.name)), reverse=True)
    for js in candidates:
        css = js.with_name("vis-network.css")
        if css.is_file():
            return _inline_safe(js.read_text(encoding="utf-8"), "script"), \
                _inline_safe(css.read_text(encoding="utf-8"), "style")
    raise ExportError(f"vis-network is missing from the pyvis package in {root}; reinstall pyvis==0.3.2")


def _inline_safe(code: str, tag: str) -> str:
    # The source-map comment would make browser devtools look for a file that is not there.
    code = re.sub(r"^\s*(//|/\*)# sourceMappingURL=.*$", "", code, flags=re.MULTILINE)
    # "<\/" means the same inside JS strings and regexes; it keeps the HTML parser inside the tag.
    return re.sub(f"</({tag})", r"<\\/\1", code, flags=re.IGNORECASE)


__all__ = ["environment", "render", "safe_json", "static", "vis_assets"]
