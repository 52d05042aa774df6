"""A citizen's words are seen by admins and by the owning department's repliers and head only."""

from __future__ import annotations

from review.models import CitizenMessage, Person
from review.replies import can_see

MSG = CitizenMessage(department_id=3, text="我家低保被取消了", sender="o_1")


def person(roles: str, department_id: int = 3) -> Person:
    return Person(key="p", name="p", department_id=department_id, roles=roles)


def test_owning_department_repliers_and_head_see_it() -> None:
    assert can_see(person("replier"), MSG)
    assert can_see(person("head reviewer"), MSG)


def test_editors_operators_and_other_departments_do_not() -> None:
    assert not can_see(person("editor"), MSG)
    assert not can_see(person("operator"), MSG)
    assert not can_see(person("reviewer"), MSG)
    assert not can_see(person("replier", department_id=4), MSG)


def test_admins_see_everything() -> None:
    assert can_see(person("admin", department_id=9), MSG)
