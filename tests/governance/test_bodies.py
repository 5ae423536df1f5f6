"""The bodies are staffed by post (職), not by name (domain §5, 要綱 第3-4条, 別表 p.52).

When the holder of a post changes, the seat follows the post: the new 総務部長
chairs the 検討会議, the old one no longer sits on it.
"""

from datetime import date

import pytest

from accounts.models import Department, Position, Section, User
from governance.cycles import services
from governance.meetings.bodies import (
    holders_of, members_of, presiding_over,
)
from governance.meetings.services import prepare_meeting
from governance.models import Body, BodyKind, SeatRole
from tests.factories import make_user
from tests.governance.conftest import fill

# 別表(第3条関係), p.52, written from fixtures/source/second_plan_text.txt in its order.
BETTAI = [
    "企画部企画政策課長",
    "企画部財政課長",
    "総務部契約管財課長",
    "市民部市民課長",
    "市民部課税課長",
    "市民部納税課長",
    "市民部生活コミュニティ課長",
    "保健福祉部生活福祉課長",
    "保健福祉部介護福祉課長",
    "保健福祉部保険年金課長",
    "子ども家庭部子ども子育て推進課長",
    "環境部環境課長",
    "都市整備部管理課長",
    "都市計画部都市計画課長",
    "水道部業務課長",
    "学校教育部庶務課長",
    "学校教育部指導課長",
    "生涯学習部社会教育課長",
]



def _sits_on(user, body) -> bool:
    return members_of(body).filter(pk=user.pk).exists()


def _seats_of(user):
    """(body, role) for every seat the user holds now, found through the bodies' holders."""
    return [(body, role) for body in Body.objects.all() for role in SeatRole
            if holders_of(body, role).filter(pk=user.pk).exists()]

def committee():
    return Body.objects.get(kind=BodyKind.COMMITTEE)


def headquarters():
    return Body.objects.get(kind=BodyKind.HEADQUARTERS)


def chief_of(section_code):
    """A 課長 of the section, created for the test."""
    return make_user(f"kacho-{section_code}", position=Position.SECTION_CHIEF, section=section_code)


# ─── 情報化推進検討会議 ─────────────────────────────────────────────────────

def test_committee_chair_and_vice_chair_are_the_posts_of_the_yoko(db, seed):
    body = committee()
    chair = body.seats.get(role=SeatRole.CHAIR)
    vice = body.seats.get(role=SeatRole.VICE_CHAIR)
    assert (chair.position, chair.department.code, chair.section) == (Position.DIRECTOR, "somu", None)
    assert chair.post_label == "総務部長"
    assert (vice.position, vice.section.code) == (Position.SECTION_CHIEF, "kikaku-seisaku")
    assert vice.post_label == "企画部企画政策課長"


def test_committee_section_chiefs_are_the_18_of_the_bettai_in_order(db, seed):
    chiefs = [seat.post_label for seat in committee().seats.filter(position=Position.SECTION_CHIEF)
              .order_by("sort_order")]
    assert chiefs == BETTAI
    assert len(chiefs) == 18


def test_committee_members_are_whoever_holds_the_posts(demo_users):
    body = committee()
    for code in ("zaisei", "kankyo", "shakai-kyoiku"):
        chief_of(code)
    members = set(members_of(body).values_list("username", flat=True))
    assert members == {"demo-bucho", "demo-kikaku", "demo-kacho",
                       "kacho-zaisei", "kacho-kankyo", "kacho-shakai-kyoiku"}
    # Staff of a 別表 課, the 副市長 and the CIO補佐官 do not sit on it.
    for username in ("demo-staff-a", "demo-staff-b", "demo-exec", "demo-advisor", "demo-joho"):
        assert not _sits_on(demo_users[username], body), username


def test_a_section_chief_not_in_the_bettai_is_not_a_committee_member(demo_users):
    joho_chief = chief_of("joho-suishin")  # 情報推進課長: the 事務局, not in the 別表
    assert not _sits_on(joho_chief, committee())
    # ...but 課長職 sits on the 情報セキュリティ委員会.
    assert _sits_on(joho_chief, Body.objects.get(kind=BodyKind.SECURITY))


def test_a_director_other_than_somu_does_not_chair_the_committee(demo_users):
    make_user("bucho-kankyo", position=Position.DIRECTOR, department="kankyo")
    assert holders_of(committee(), SeatRole.CHAIR).first() == demo_users["demo-bucho"]
    assert not _sits_on(User.objects.get(username="bucho-kankyo"), committee())


# ─── 情報化戦略本部 ─────────────────────────────────────────────────────────

def test_headquarters_is_chaired_by_the_deputy_mayor_with_somu_bucho_as_deputy(demo_users):
    body = headquarters()
    assert holders_of(body, SeatRole.CHAIR).first() == demo_users["demo-exec"]
    assert list(holders_of(body, SeatRole.VICE_CHAIR)) == [demo_users["demo-bucho"]]


def test_headquarters_members_are_the_directors(demo_users):
    other = make_user("bucho-kankyo", position=Position.DIRECTOR, department="kankyo")
    members = set(members_of(headquarters()))
    assert members == {demo_users["demo-exec"], demo_users["demo-bucho"], other}
    for username in ("demo-kacho", "demo-kikaku", "demo-staff-a", "demo-advisor", "demo-joho"):
        assert not _sits_on(demo_users[username], headquarters()), username


def test_bodies_of_the_somu_bucho(demo_users):
    seats = {(body.kind, role) for body, role in _seats_of(demo_users["demo-bucho"])}
    assert {
        (BodyKind.COMMITTEE, SeatRole.CHAIR),
        (BodyKind.HEADQUARTERS, SeatRole.VICE_CHAIR),
        (BodyKind.SECURITY, SeatRole.CHAIR),
    } <= seats
    assert (BodyKind.HEADQUARTERS, SeatRole.CHAIR) not in seats
    assert {body.kind for body, _ in _seats_of(demo_users["demo-staff-a"])} == set()


# ─── A change of 総務部長 ───────────────────────────────────────────────────

@pytest.mark.parametrize("how", ["moved", "deactivated"])
def test_new_somu_bucho_chairs_the_committee_and_the_old_one_leaves(demo_users, how):
    old = demo_users["demo-bucho"]
    assert holders_of(committee(), SeatRole.CHAIR).first() == old

    if how == "moved":  # the old holder becomes 環境部長
        old.department = Department.objects.get(code="kankyo")
    else:
        old.is_active = False
    old.save()
    new = make_user("new-somu-bucho", position=Position.DIRECTOR, department="somu")

    assert holders_of(committee(), SeatRole.CHAIR).first() == new
    assert _sits_on(new, committee())
    assert not _sits_on(old, committee())
    assert old not in members_of(committee())
    assert list(holders_of(headquarters(), SeatRole.VICE_CHAIR)) == [new]
    # Moved to another 部長 post, the old holder is still a 本部員, but no longer 副本部長.
    assert _sits_on(old, headquarters()) is (how == "moved")
    assert (BodyKind.COMMITTEE, SeatRole.CHAIR) not in {(b.kind, r) for b, r in _seats_of(old)}
    assert (BodyKind.COMMITTEE, SeatRole.CHAIR) in {(b.kind, r) for b, r in _seats_of(new)}


def test_vacant_somu_bucho_post_leaves_no_chair(demo_users):
    bucho = demo_users["demo-bucho"]
    bucho.position = Position.STAFF
    bucho.section = Section.objects.get(code="keiyaku-kanzai")
    bucho.save()
    assert holders_of(committee(), SeatRole.CHAIR).first() is None
    assert not _sits_on(bucho, committee())


# ─── Who presides (要綱 第4条) ──────────────────────────────────────────────

@pytest.fixture
def committee_meeting(cycle, shimin_report, demo_users):
    fill(shimin_report)
    services.submit_report(user=demo_users["demo-staff-a"], report=shimin_report)
    report = services.confirm_report(user=demo_users["demo-joho"], report=shimin_report)
    return prepare_meeting(user=demo_users["demo-joho"], body=committee(), cycle=cycle,
                           title="検討会議 第1回", held_on=date(2017, 6, 20), place="庁議室",
                           reports=[report])


def test_meeting_attendees_are_the_current_members(committee_meeting):
    assert set(committee_meeting.attendees.all()) == set(members_of(committee()))


def test_the_chair_presides_when_present(committee_meeting, demo_users):
    assert presiding_over(committee_meeting) == (demo_users["demo-bucho"], SeatRole.CHAIR)


def test_the_vice_chair_presides_when_the_chair_is_absent(committee_meeting, demo_users):
    committee_meeting.attendees.remove(demo_users["demo-bucho"])
    assert presiding_over(committee_meeting) == (demo_users["demo-kikaku"], SeatRole.VICE_CHAIR)


def test_nobody_presides_when_chair_and_vice_chair_are_absent(committee_meeting, demo_users):
    committee_meeting.attendees.remove(demo_users["demo-bucho"], demo_users["demo-kikaku"])
    assert presiding_over(committee_meeting) == (None, None)


def test_after_a_change_of_post_the_vice_chair_presides_if_the_new_chair_did_not_attend(
    committee_meeting, demo_users
):
    """The old 総務部長 attended; the post has since changed hands: the old holder
    no longer presides, and the new one was not there."""
    old = demo_users["demo-bucho"]
    old.is_active = False
    old.save()
    make_user("new-somu-bucho", position=Position.DIRECTOR, department="somu")
    assert presiding_over(committee_meeting) == (demo_users["demo-kikaku"], SeatRole.VICE_CHAIR)


def test_meeting_detail_names_who_presides(client, committee_meeting, demo_users):
    committee_meeting.attendees.remove(demo_users["demo-bucho"])
    client.force_login(demo_users["demo-joho"])
    response = client.get(committee_meeting.get_absolute_url())
    assert response.status_code == 200
    kikaku = demo_users["demo-kikaku"]
    assert (f"<dd>{kikaku.display_name}({kikaku.post_title}) — 会長(本部長)が欠席のため"
            in response.content.decode())
