"""Answers kept until the inventory changes (registry.memo): a sign-in or an audited read
keeps them, any other event means a change and they are computed afresh."""

from registry.audit.services import record_event
from registry.audit.tags import Tag
from registry.extensions import db
from registry.memo import remembered


def test_an_answer_holds_across_sign_ins_and_reads_and_not_across_a_change(make):
    visitor = make.user("stakeholder")  # registering a person is a change of its own
    computed = []

    def compute():
        computed.append(1)
        return len(computed)

    assert remembered("answer", compute) == 1
    assert remembered("answer", compute) == 1
    record_event(Tag.SIGN_IN, actor=visitor)
    record_event(Tag.EXPORT, details={"rows": 1})
    db.session.commit()
    assert remembered("answer", compute) == 1 and len(computed) == 1
    make.dataset(title="A change")
    assert remembered("answer", compute) == 2
    assert remembered("other question", compute) == 3  # each key is its own answer
