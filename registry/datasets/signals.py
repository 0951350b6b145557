"""What the inventory tells other domains, without knowing them: they subscribe here.

Receivers run in the sender's transaction (synchronously), so whatever they write lands in the
same commit as the change that caused it.
"""

from blinker import Namespace

_signals = Namespace()

# An edit to a decided record's governance was stored as a proposal, in a new review round
# (sender: the dataset; actor, note). The review side announces the round to the committee.
proposal_opened = _signals.signal("proposal-opened")
