"""mutmut's hooks for `make mutation` (copied into .mutation/ as mutmut_config.py, where mutmut
looks for it).

A field's `description="…"` is documentation: it reaches the OpenAPI document (whose drift test is
a handler test) and nothing the rules decide. mutmut already leaves docstrings alone for that
reason; mutants that change a description, or drop a `Field(default=None, description=…)` for a
plain `None`, are skipped likewise, and the report counts them apart."""

import re
from typing import Any

DESCRIPTION = re.compile(r'description="XX(.*?)XX"')
DOCUMENTED_NONE = re.compile(r'Field\(\s*default=None,\s*description="[^"]*",?\s*\)')


def documentation_only(context: Any) -> bool:
    # Imported here: mutmut imports this module while it is itself being imported.
    from mutmut import Context, mutate

    original: str = context.source
    mutated, _ = mutate(Context(filename=context.filename, mutation_id=context.mutation_id))
    if mutated == original:
        return False
    if DESCRIPTION.sub(r'description="\1"', mutated) == original:
        return True
    return any(
        original[: field.start()] + "None" + original[field.end() :] == mutated
        for field in DOCUMENTED_NONE.finditer(original)
    )


def pre_mutation(context: Any) -> None:
    if documentation_only(context):
        context.skip = True
