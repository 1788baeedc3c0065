"""mutmut's hooks for `make mutation` (copied into .mutation/ as mutmut_config.py, where mutmut
looks for it).

A field's `description="…"` is documentation: it reaches the OpenAPI document (whose drift test is
a handler test) and nothing the rules decide. mutmut already leaves docstrings alone for that
reason; mutants that change a description (or one of the strings it is written in), or drop a
`Field(default=None, description=…)` for a plain `None`, are skipped likewise, and the report
counts them apart. Both are told by comparing the syntax trees with the descriptions taken out."""

import ast
from typing import Any


class _WithoutDescriptions(ast.NodeTransformer):
    """Every `Field(…)` without its `description`; one left with only a default is that default."""

    def visit_Call(self, node: ast.Call) -> ast.AST:
        self.generic_visit(node)
        if not (isinstance(node.func, ast.Name) and node.func.id == "Field"):
            return node
        node.keywords = [k for k in node.keywords if k.arg != "description"]
        if not node.args and [k.arg for k in node.keywords] == ["default"]:
            return node.keywords[0].value
        return node


def _without_descriptions(source: str) -> str:
    return ast.dump(_WithoutDescriptions().visit(ast.parse(source)))


def documentation_only(context: Any) -> bool:
    # Imported here: mutmut imports this module while it is itself being imported.
    from mutmut import Context, mutate

    original: str = context.source
    mutated, _ = mutate(Context(filename=context.filename, mutation_id=context.mutation_id))
    if mutated == original:
        return False
    try:
        return _without_descriptions(mutated) == _without_descriptions(original)
    except SyntaxError:
        return False


def pre_mutation(context: Any) -> None:
    if documentation_only(context):
        context.skip = True
