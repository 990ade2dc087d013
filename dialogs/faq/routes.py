"""What the FAQ offers the router. General questions carry no child's details, so they work anywhere,
for anyone; a question classed as about a particular child is not answered and its text not kept."""
from __future__ import annotations

from dialogs.common.routing import command, verb
from dialogs.faq.faq_dialog import FaqDialog
from dialogs.faq.handlers import on_feedback, on_forward, on_pick, on_question

ROUTES = [
    command("ask", dialog=FaqDialog.__name__, example="ask",
            options=lambda argument: {"question": argument} if argument else None),
    command("question", run=on_question, example="does the virtual school arrange school transport?"),
    verb("faq.feedback", run=on_feedback, example={"query_id": "{query_id}", "helpful": "yes"}),
    verb("faq.pick", run=on_pick, example={"entry_id": "school-transport"}),
    verb("faq.forward", run=on_forward, example={"query_id": "{query_id}"}),
]
