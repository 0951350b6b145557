"""What the accounts domain tells others, without knowing them: they subscribe here. Receivers
run in the sender's transaction."""

from blinker import Namespace

_signals = Namespace()

# A person no longer belongs to some departments (sender: the user; department_ids, actor).
departments_left = _signals.signal("departments-left")
