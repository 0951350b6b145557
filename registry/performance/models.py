"""The city's strategic priorities (a short list the coordinator keeps). The inventory cites
them, as it cites departments, so nothing here imports the inventory."""

from sqlalchemy import Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from registry.extensions import db


class CityPriority(db.Model):
    """One of the city's strategic priorities (a short list the coordinator keeps, such as
    "Safe neighbourhoods"), which a record may say it supports."""

    __tablename__ = "city_priorities"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    description: Mapped[str | None] = mapped_column(Text)
    position: Mapped[int] = mapped_column(Integer, default=0)
