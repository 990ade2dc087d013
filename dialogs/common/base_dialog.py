"""Help and cancel work the same inside every flow: every flow's dialog inherits from this one.

The router (bot/router.py) decides what a typed message means while a flow is open; it calls `help` and
`cancel` here, so each flow only says what is particular to it (its help text, what closing it means)."""
from __future__ import annotations

from botbuilder.dialogs import ComponentDialog, DialogContext

from cards.menu import flow_help_card
from dialogs.common.turn import turn_of


class CancelAndHelpDialog(ComponentDialog):
    # A form flow waits for a card submit: typed text is never an answer to it, so the router handles the
    # text (a question is answered, a command runs) and leaves the form open. A prompt flow takes text.
    form: bool = False
    title: str = "this"
    help_text: str = "Answer the last question to carry on, or type cancel to stop."
    still_open_note: str = ""  # one line after anything else done while the form is open

    async def help(self, dc: DialogContext) -> None:
        await turn_of(dc.context).reply(flow_help_card(title=self.title, message=self.help_text))

    async def cancel(self, dc: DialogContext) -> None:
        await self.on_cancel(dc, flow_state(dc))
        await dc.cancel_all_dialogs()

    async def on_cancel(self, dc: DialogContext, state: dict) -> None:
        """What cancelling means for this flow (e.g. closing its form card in place)."""
        await turn_of(dc.context).reply("Okay, I've stopped that. Type help to see what I can do.")


def flow_state(dc: DialogContext) -> dict:
    """The open flow's own instance state (survives restarts with the rest of the dialog state)."""
    return dc.active_dialog.state if dc.active_dialog else {}


def step_flow_state(step) -> dict:
    """The same state, from inside one of the flow's waterfall steps (step.parent is the outer context)."""
    return step.parent.active_dialog.state
