"""Building, editing, refreshing and issuing the weekly bulletin."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied

from bulletin import services
from bulletin.models import Block, Bulletin, BulletinFile
from cases import services as case_services
from cases.models import Channel
from cases.tests.conftest import _matter, local
from core.errors import Conflict, ServiceError
from core.models import Region
from hall import services as hall
from hall.models import KeyWork, Window

from .conftest import WEEK

Section = Block.Section


def _windows(bulletin):
    return bulletin.blocks.get(source="windows")


def _accept_on(day, clerk, matter, person):
    case = case_services.receive(
        clerk,
        matter=matter,
        situation=matter.situations.first(),
        channel=Channel.WINDOW,
        region=Region.objects.get(code="510000"),
        window=Window.objects.get(number="A01"),
        applicant_person=person,
        at=local(*day, 9),
    )
    case_services.accept(clerk, case, at=local(*day, 10))


@pytest.fixture
def matter(db):
    return _matter("natural_resources", "采矿权登记", 90001, ["province"])


def test_the_draft_has_the_centres_sections_and_counts_the_event_log(draft):
    titles = [s["title"] for s in services.document_sections(draft)]
    assert titles == ["一、政务工作动态", "二、重点工作推进情况", "三、厅（局）长进大厅", "四、综窗改革攻坚行动"]
    subsections = [s["title"] for s in services.document_sections(draft)[3]["subsections"]]
    assert subsections == ["（一）省本级综窗办件情况", "（二）其他工作开展情况"]
    assert (draft.year, draft.number, draft.week_start, draft.week_end) == (2024, 1, WEEK, dt.date(2024, 11, 8))
    assert draft.report_to == "省政务管理办公室，省中心领导。" and draft.copies == 100
    block = _windows(draft)
    assert services.render_text(block).startswith(
        "本周，共计咨询0人次、受理0件、颁发0件、流转0件次。今年以来，累计咨询0人次"
    )
    figure = block.figures["week_acceptances"]
    assert figure["value"] == 0 and figure["source"] == "cases.stats.figures:acceptances:2024-11-04..2024-11-08"
    assert figure["computed_at"]


def test_an_acceptance_inside_the_week_counts_and_one_outside_does_not(draft, demo_user, matter):
    clerk, editor = demo_user("clerk"), demo_user("editor")
    from accounts.models import Person

    person = Person.objects.get(user__username="citizen")
    _accept_on((2024, 11, 6), clerk, matter, person)
    draft = services.refresh(editor, draft, version=draft.version)
    assert _windows(draft).figures["week_acceptances"]["value"] == 1
    assert "受理1件" in services.render_text(_windows(draft))
    _accept_on((2024, 11, 9), clerk, matter, person)  # the Saturday after: outside the working week
    _accept_on((2024, 11, 12), clerk, matter, person)  # the next week
    draft = services.refresh(editor, draft, version=draft.version)
    block = _windows(draft)
    assert block.figures["week_acceptances"]["value"] == 1 and block.figures["year_acceptances"]["value"] == 1
    following = services.build_draft(editor, week_start=dt.date(2024, 11, 13))
    assert _windows(following).figures["week_acceptances"]["value"] == 1  # the 12th's, not the 6th's
    assert _windows(following).figures["year_acceptances"]["value"] == 3
    assert following.number == 2


def test_the_editors_words_survive_a_refresh_and_the_figures_update(draft, demo_user, matter):
    editor = demo_user("editor")
    block = _windows(draft)
    block = services.edit_block(
        editor, block, version=block.version, template="本周综窗受理{week_acceptances}件，运行平稳。"
    )
    own = services.add_block(
        editor,
        Bulletin.objects.get(pk=draft.pk),
        version=Bulletin.objects.get(pk=draft.pk).version,
        section=Section.OTHER,
        template="开展窗口人员业务培训1次。",
    )
    from accounts.models import Person

    _accept_on((2024, 11, 7), demo_user("clerk"), matter, Person.objects.get(user__username="citizen"))
    draft = Bulletin.objects.get(pk=draft.pk)
    draft = services.refresh(editor, draft, version=draft.version)
    assert services.render_text(_windows(draft)) == "本周综窗受理1件，运行平稳。"
    assert Block.objects.get(pk=own.pk).template == "开展窗口人员业务培训1次。"


def test_unknown_figures_and_empty_text_are_refused(draft, demo_user):
    block = _windows(draft)
    with pytest.raises(ServiceError) as caught:
        services.edit_block(demo_user("editor"), block, version=block.version, template="受理{typed}件")
    assert "正文中的{typed}不是平台数据" in caught.value.errors["template"][0]
    with pytest.raises(ServiceError) as caught:
        services.edit_block(demo_user("editor"), block, version=block.version, template="  ")
    assert caught.value.errors == {"template": ["正文为必填项"]}
    assert Block.objects.get(pk=block.pk).template == services.WINDOWS_TEMPLATE


def test_two_editors_on_one_paragraph(draft, demo_user):
    block = _windows(draft)
    services.edit_block(demo_user("editor"), block, version=block.version, template="甲稿{week_acceptances}")
    with pytest.raises(Conflict):
        services.edit_block(demo_user("manager"), block, version=block.version, template="乙稿")
    assert Block.objects.get(pk=block.pk).template == "甲稿{week_acceptances}"


def test_accepted_activities_duty_and_key_work_go_into_the_draft(demo_user, distribution):
    clerk, editor = demo_user("clerk"), demo_user("editor")
    report = hall.submit_activity(
        clerk, date=dt.date(2024, 11, 5), title="宣传", kind="publicity", text="消防救援总队窗口在大厅开展消防宣传。"
    )
    hall.submit_activity(clerk, date=dt.date(2024, 11, 5), title="未采用", kind="other", text="未采用的动态。")
    hall.accept_activity(editor, report, version=report.version)
    item = hall.save_key_work(editor, name="高效办成一件事", sources=[KeyWork.Source.PROBLEMS_HANDLED])
    hall.save_key_work_note(editor, item, week_start=WEEK, text="梳理问题清单。")
    from core.models import Department

    hall.schedule_duty(
        editor,
        leader_name="陈雅琴",
        leader_title="二级巡视员",
        date=dt.date(2024, 11, 7),
        department=Department.objects.get(function="justice", region_id="510000"),
    )
    bulletin = services.build_draft(editor, week_start=WEEK)
    sections = services.document_sections(bulletin)
    assert [p["text"] for p in sections[0]["paragraphs"]] == ["消防救援总队窗口在大厅开展消防宣传。"]
    assert sections[1]["paragraphs"][0]["lead"] == "（一）高效办成一件事。"
    assert sections[1]["paragraphs"][0]["text"] == "梳理问题清单。本周处理问题0个。"  # from the problem list
    assert sections[2]["paragraphs"][0]["text"] == "本周，司法厅二级巡视员陈雅琴到省政务服务大厅窗口值守。"
    # an item accepted later arrives on refresh; the editor's edit of another stays
    late = hall.submit_activity(
        clerk, date=dt.date(2024, 11, 8), title="调研", kind="inspection", text="交通运输厅窗口赴项目现场督导。"
    )
    hall.accept_activity(editor, late, version=late.version)
    first = bulletin.blocks.get(source=f"activity:{report.pk}")
    services.edit_block(editor, first, version=first.version, template="消防救援总队窗口开展消防宣传月活动。")
    bulletin = services.refresh(
        editor, Bulletin.objects.get(pk=bulletin.pk), version=Bulletin.objects.get(pk=bulletin.pk).version
    )
    texts = [p["text"] for p in services.document_sections(bulletin)[0]["paragraphs"]]
    assert texts == ["（一）消防救援总队窗口开展消防宣传月活动。", "（二）交通运输厅窗口赴项目现场督导。"]


def test_one_bulletin_per_week_and_numbers_do_not_repeat(draft, demo_user):
    editor = demo_user("editor")
    with pytest.raises(ServiceError) as caught:
        services.build_draft(editor, week_start=dt.date(2024, 11, 7))
    assert "该周已有周报" in caught.value.errors["week_start"][0]
    with pytest.raises(ServiceError) as caught:
        services.build_draft(editor, week_start=dt.date(2024, 11, 11), number=1)
    assert caught.value.errors["number"] == ["2024年第1期已被占用"]
    with pytest.raises(ServiceError) as caught:
        services.update_header(
            editor,
            draft,
            version=draft.version,
            number=0,
            dated=dt.date(2024, 11, 1),
            issuing_unit="",
            report_to="",
            send_to="x",
            copies=0,
        )
    errors = caught.value.errors
    assert errors["number"] == ["期号应为正整数"] and "不能早于" in errors["dated"][0]
    assert errors["issuing_unit"] == ["印发单位为必填项"] and errors["copies"] == ["印数应为1至10000之间的整数"]


def test_only_bulletin_staff_may_build(demo_user, distribution):
    with pytest.raises(PermissionDenied):
        services.build_draft(demo_user("clerk"), week_start=WEEK)
    assert not Bulletin.objects.exists()


def test_issuing_archives_the_files_and_makes_it_read_only(draft, demo_user, matter):
    editor = demo_user("editor")
    issued = services.issue(editor, draft, version=draft.version)
    assert issued.state == Bulletin.State.ISSUED and issued.issued_by == editor
    files = {f.kind: f for f in issued.files.filter(issued=True)}
    assert "docx" in files
    docx = bytes(files["docx"].content)
    assert docx.startswith(b"PK")
    block = _windows(issued)
    with pytest.raises(Conflict) as caught:
        services.edit_block(editor, block, version=block.version, template="改")
    assert "已印发" in caught.value.message
    with pytest.raises(Conflict):
        services.refresh(editor, issued, version=issued.version)
    with pytest.raises(Conflict):
        services.issue(editor, issued, version=issued.version)
    # new events do not touch what was issued
    from accounts.models import Person

    _accept_on((2024, 11, 6), demo_user("clerk"), matter, Person.objects.get(user__username="citizen"))
    assert bytes(BulletinFile.objects.get(pk=files["docx"].pk).content) == docx
