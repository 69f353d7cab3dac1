"""Guided resolution: questions narrow a matter to one situation and its exact checklist."""

from catalog.models import Matter
from catalog.services import resolve

from .helpers import build_matter


def names(items):
    return [i.name for i in items]


def test_no_answers_asks_the_first_question(db):
    matter, situations, (q1, q2, q3) = build_matter()
    result = resolve(matter, {})
    assert len(result.situations) == 3
    assert result.next_question == q1
    assert result.checklist is None and not result.complete


def test_first_time_gives_new_and_asks_about_agents(db):
    matter, (new, change, cancel), (q1, q2, q3) = build_matter()
    yes = q1.options.get(text="是")
    result = resolve(matter, {q1.pk: yes.pk})
    assert result.situation == new
    # q2 no longer distinguishes anything; q3 still brings in a material.
    assert result.next_question == q3
    assert names(result.checklist) == ["申请书", "营业执照"]
    assert [m.name for m in result.pending] == ["授权委托书"]


def test_full_answers_give_the_exact_checklist(db):
    matter, (new, change, cancel), (q1, q2, q3) = build_matter()
    no, cancel_option = q1.options.get(text="否"), q2.options.get(text="注销")
    agent = q3.options.get(text="委托代理人")
    result = resolve(matter, {q1.pk: no.pk, str(q2.pk): str(cancel_option.pk), q3.pk: agent.pk})
    assert result.situation == cancel and result.complete
    assert names(result.checklist) == ["申请书", "营业执照", "授权委托书"]
    licence = result.checklist[1]
    assert licence.exempt  # 免提交: from the e-certificate
    assert "委托代理人" in result.checklist[2].because
    self_ = q3.options.get(text="本人办理")
    result = resolve(matter, {q1.pk: no.pk, q2.pk: cancel_option.pk, q3.pk: self_.pk})
    assert names(result.checklist) == ["申请书", "营业执照"] and not result.pending


def test_unknown_and_contradicting_answers_are_ignored(db):
    matter, (new, change, cancel), (q1, q2, q3) = build_matter()
    yes, cancel_option = q1.options.get(text="是"), q2.options.get(text="注销")
    result = resolve(matter, {q1.pk: yes.pk, q2.pk: cancel_option.pk, 999999: 1, "x": "y", q3.pk: yes.pk})
    assert result.situation == new
    assert [q for q, _ in result.answered] == [q1]


def test_next_options_only_keep_remaining_situations(db):
    matter, (new, change, cancel), (q1, q2, q3) = build_matter()
    result = resolve(matter, {q1.pk: q1.options.get(text="否").pk})
    assert result.next_question == q2
    assert [o.text for o in result.next_options] == ["信息变更", "注销"]
    assert {s.pk for s in result.situations} == {change.pk, cancel.pk}


def test_demo_matter_resolves_to_each_of_its_situations(db):
    matter = Matter.objects.get(name="采矿权登记")
    reached = set()
    stack = [{}]
    while stack:
        answers = stack.pop()
        result = resolve(matter, answers)
        if result.next_question is None:
            assert result.situation is not None, answers
            assert result.checklist
            reached.add(result.situation.pk)
            continue
        for option in result.next_options:
            stack.append({**answers, result.next_question.pk: option.pk})
    assert reached == set(matter.situations.values_list("pk", flat=True))
