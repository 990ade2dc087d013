"""The "does the Virtual School do X?" answering engine: a curated knowledge base and a lexical matcher.

Framework-free (no botbuilder imports), deterministic, no network. The bot uses KnowledgeBaseStore;
the CLI uses ask_main and run_faq_bench.
"""
from dialogs.faq.knowledge.loader import (
    DEFAULT_KB_PATH,
    KnowledgeBaseError,
    KnowledgeBaseStore,
    load_knowledge_base,
    parse_knowledge_base,
)
from dialogs.faq.knowledge.matcher import Answer, Matcher
from dialogs.faq.knowledge.model import ACTIONS, COHORTS, VERDICTS, Entry, KnowledgeBase
from dialogs.faq.knowledge.present import answer_text, answer_to_dict, format_answer

__all__ = [
    "ACTIONS",
    "COHORTS",
    "DEFAULT_KB_PATH",
    "VERDICTS",
    "Answer",
    "Entry",
    "KnowledgeBase",
    "KnowledgeBaseError",
    "KnowledgeBaseStore",
    "Matcher",
    "answer_text",
    "answer_to_dict",
    "format_answer",
    "load_knowledge_base",
    "parse_knowledge_base",
]
