"""Quick-reply phrase libraries: team + personal, search by code/words/pinyin, variables, import/export,
team sharing over a folder or WebDAV. No Qt here; the editor and the `/` popup live in workstation.ui."""

from workstation.quickreply.model import Entry, Group, Library, Phrase, Problem, Scope
from workstation.quickreply.search import PhraseIndex, SearchHit
from workstation.quickreply.service import QuickReplies
from workstation.quickreply.sync import SyncStatus, TeamSync
from workstation.quickreply.variables import ConversationContext, Rendered, UnfilledVariable, render

__all__ = [
    "ConversationContext", "Entry", "Group", "Library", "Phrase", "PhraseIndex", "Problem", "QuickReplies",
    "Rendered", "Scope", "SearchHit", "SyncStatus", "TeamSync", "UnfilledVariable", "render",
]
