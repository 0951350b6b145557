"""What every template may use: labels, navigation, the signed-in person's links."""

from flask import Flask

from registry.labels import age, due, error_lines, field_label, period, term, when
from registry.navigation import may_see_link, url_with_args, visible_navigation
from registry.permissions import Permission, has_permission
from registry.web.links import absolute_url


def init_template_globals(app: Flask) -> None:
    app.jinja_env.filters.update(
        term=term, field_label=field_label, error_lines=error_lines, period=period, when=when
    )
    app.jinja_env.globals.update(
        field_label=field_label,
        due=due,
        age=age,
        has_permission=has_permission,
        absolute_url=absolute_url,
        may_see_link=may_see_link,
        visible_navigation=visible_navigation,
        url_with_args=url_with_args,
        Permission=Permission,
    )
