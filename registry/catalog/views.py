"""The home page, the catalog's front door that tells each visitor what they can do next, and
the health check."""

from flask import Blueprint, jsonify, render_template
from flask_login import current_user
from sqlalchemy import select, text

from registry.dashboard.counts import counted, is_released, released_themes, search_examples
from registry.datasets.models import Dataset
from registry.datasets.visibility import RELEASABLE
from registry.extensions import db
from registry.navigation import may_see_link
from registry.permissions import ROLE_LABELS, Permission
from registry.priorities import queue
from registry.reviews.workflow import State
from registry.web.caching import cacheable

catalog = Blueprint("catalog", __name__)

# What the home page offers, each behind the permission that the linked page itself checks.
NEXT_STEPS = [
    (
        Permission.DATASET_CREATE,
        "Register a dataset",
        "Add a dataset your department holds to the inventory, as a draft you can finish later.",
        "datasets.new",
    ),
    (
        Permission.ACCOUNT_OWN,
        "My work",
        "What waits for you: drafts, submissions, votes and releases.",
        "reviews.my_work",
    ),
    (
        None,
        "Find datasets",
        "Search the city's inventory by title, keyword, department or theme.",
        "datasets.index",
    ),
    (
        Permission.USERS_MANAGE,
        "Manage people",
        "Add users, give them roles and departments, reset passwords.",
        "admin.users",
    ),
    (
        Permission.DEPARTMENTS_MANAGE,
        "Manage departments",
        "Keep the list of city departments and their data contacts up to date.",
        "admin.departments",
    ),
    (
        Permission.AUDIT_READ,
        "Read the audit log",
        "Every sign-in, change and decision, hash-chained so tampering shows.",
        "audit.events",
    ),
    (
        Permission.ACCOUNT_OWN,
        "Your account",
        "See your roles and departments and change your password.",
        "auth.account",
    ),
]


HOME_LIST_SIZE = 5


def front_door() -> dict:
    """What the home page tells everyone: how much the city holds and has released, by subject,
    the newest releases and what comes next."""
    released = (Dataset.status == str(State.PUBLISHED)) & Dataset.classification.in_(RELEASABLE)
    kinds = counted()  # kept as records change (catalog.counts): nothing here counts records
    themes = released_themes()
    newest = db.session.scalars(
        select(Dataset)
        .where(released)
        .order_by(Dataset.published_on.desc(), Dataset.id.desc())
        .limit(HOME_LIST_SIZE)
    ).all()
    return {
        "held": sum(kind[-1] for kind in kinds),
        "released": sum(kind[-1] for kind in kinds if is_released(kind[1], kind[2])),
        "themes": themes,
        "search_examples": search_examples(themes),
        "newest": newest,
        "next_up": queue.release_queue()[:HOME_LIST_SIZE],
    }


@catalog.get("/")
@cacheable
def home():
    steps = [step for step in NEXT_STEPS if may_see_link(current_user, step[0])]
    roles = (
        [ROLE_LABELS[role] for role in sorted(current_user.role_set)]
        if current_user.is_authenticated
        else []
    )
    return render_template("catalog/home.html", steps=steps, role_labels=roles, **front_door())


@catalog.get("/healthz")
def healthz():
    """For load balancers: the process is up and the database answers."""
    db.session.execute(text("SELECT 1"))
    return jsonify(status="ok")
