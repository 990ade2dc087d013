"""Answer one question from the knowledge base and send the answer card (filled in with the matcher)."""
from __future__ import annotations

from botbuilder.core import TurnContext

from bot.services import Services


async def send_answer(context: TurnContext, services: Services, question: str) -> None:
    await context.send_activity("I can't answer questions yet.")
