"""Ask "does the Virtual School do X?": take the question (asking for it if none was given) and answer it."""
from __future__ import annotations

from botbuilder.core import MessageFactory
from botbuilder.dialogs import DialogTurnResult, TextPrompt, WaterfallDialog, WaterfallStepContext
from botbuilder.dialogs.prompts import PromptOptions

from dialogs.common.base_dialog import CancelAndHelpDialog
from dialogs.common.services import Services
from dialogs.common.turn import turn_of
from dialogs.faq.handlers import send_answer

QUESTION_PROMPT = "faq.question"
MAX_QUESTION = 500


class FaqDialog(CancelAndHelpDialog):
    title = "asking a question"
    help_text = ("I'm waiting for your question about what the Virtual School does — type it in a sentence, for "
                 "example *Does the Virtual School chair PEP meetings?*")

    def __init__(self, services: Services):
        super().__init__(FaqDialog.__name__)
        self.services = services
        self.add_dialog(TextPrompt(QUESTION_PROMPT, FaqDialog.question_validator))
        self.add_dialog(WaterfallDialog("faq.steps", [self.question_step, self.answer_step]))
        self.initial_dialog_id = "faq.steps"

    @staticmethod
    async def question_validator(prompt_context) -> bool:
        value = (prompt_context.recognized.value or "").strip()
        return prompt_context.recognized.succeeded and 0 < len(value) <= MAX_QUESTION

    async def question_step(self, step: WaterfallStepContext) -> DialogTurnResult:
        question = (step.options or {}).get("question") if isinstance(step.options, dict) else None
        if question:
            return await step.next(question)
        return await step.prompt(
            QUESTION_PROMPT,
            PromptOptions(
                prompt=MessageFactory.text(
                    "What would you like to know? For example: *Does the Virtual School chair PEP meetings?*"
                ),
                retry_prompt=MessageFactory.text(
                    f"Please type your question in a sentence (up to {MAX_QUESTION} characters)."),
            ),
        )

    async def answer_step(self, step: WaterfallStepContext) -> DialogTurnResult:
        await send_answer(turn_of(step.context), self.services, str(step.result))
        return await step.end_dialog()
