"""The Jinja2 environment every HTML page of the workflow starts from (templates in
workflow/templates, autoescaped, undefined names an error); each page adds its own filters."""

from __future__ import annotations

import jinja2


def template_environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("workflow", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
