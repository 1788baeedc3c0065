"""The lifecycle as a mermaid diagram, drawn by python-statemachine's own renderer."""

from statemachine.contrib.diagram.extract import extract
from statemachine.contrib.diagram.model import ActionType, StateType
from statemachine.contrib.diagram.renderers.mermaid import MermaidRenderer

from lifecycle.order_lifecycle import TERMINAL_STATES, OrderLifecycle


def lifecycle_mermaid() -> str:
    """Mermaid source of `OrderLifecycle`'s lifecycle.

    Help actions are internal self-transitions; the help matrix (`orderhelp matrix`) shows them, so
    they are left out here. Terminal states are drawn as final (see `order_lifecycle` for why they
    are not declared `final` on the machine)."""
    graph = extract(OrderLifecycle)
    terminal_ids = {OrderLifecycle.states_map[status].id for status in TERMINAL_STATES}
    for state in graph.states:
        state.actions = [a for a in state.actions if a.type is not ActionType.INTERNAL]
        if state.id in terminal_ids:
            state.type = StateType.FINAL
    return MermaidRenderer().render(graph)
