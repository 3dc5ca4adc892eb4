"""Builders for the member's side of feedback: the prompt DM, the form, the notices."""

from __future__ import annotations

from typing import Any

from bot.i18n import N_, Translator
from bot.ids import ActionId, BlockId, CallbackId
from bot.rendering import blocks as bk
from bot.rendering.templates import gettext_for, render
from bot.sdgs import GOALS, goal_name
from bot.services.feedback import MAX_TEXT, FeedbackAnswers, FeedbackForm, SubmitOutcome

RATING_LABELS = {
    1: N_("1 – Poor"),
    2: N_("2 – Fair"),
    3: N_("3 – Good"),
    4: N_("4 – Very good"),
    5: N_("5 – Excellent"),
}

FORM_TITLE = N_("Feedback")

# Form field (as named by bot.services.feedback.read_answers) -> its input block.
FIELD_BLOCKS = {
    "rating": BlockId.FEEDBACK_RATING,
    "most_valuable": BlockId.FEEDBACK_VALUABLE,
    "should_change": BlockId.FEEDBACK_CHANGE,
    "goals": BlockId.FEEDBACK_GOALS,
    "would_recommend": BlockId.FEEDBACK_RECOMMEND,
}


def privacy_note(anonymous: bool, t: Translator) -> str:
    if anonymous:
        return t.gettext("Your answers are anonymous: they are stored without your name.")
    return t.gettext("Facilitators see your name with your answers.")


def _feedback_button(key: str, t: Translator) -> bk.Block:
    return bk.actions(
        bk.button(t.gettext("Give feedback"), ActionId.OPEN_FEEDBACK, key, style="primary"),
        block_id=BlockId.FEEDBACK_ACTIONS,
    )


def feedback_prompt_message(
    key: str, title: str, anonymous: bool, t: Translator
) -> tuple[str, list[bk.Block]]:
    """The DM after a session: (notification text, blocks)."""
    _ = gettext_for(t)
    text = _("How was %(title)s? Tell us in two minutes.", title=title)
    body = render("feedback_prompt.md.j2", t, title=title, nudge=False)
    return text, [
        bk.section(body),
        bk.context(privacy_note(anonymous, t)),
        _feedback_button(key, t),
    ]


def feedback_nudge_message(
    key: str, title: str, anonymous: bool, t: Translator
) -> tuple[str, list[bk.Block]]:
    """The one reminder to members who have not answered."""
    _ = gettext_for(t)
    text = _("A last reminder: your feedback on %(title)s", title=title)
    body = render("feedback_prompt.md.j2", t, title=title, nudge=True)
    return text, [
        bk.section(body),
        bk.context(privacy_note(anonymous, t)),
        _feedback_button(key, t),
    ]


def _text_input(
    block_id: str, action_id: str, label: str, initial: str, placeholder: str
) -> bk.Block:
    element: dict[str, Any] = {
        "type": "plain_text_input",
        "action_id": action_id,
        "multiline": True,
        "max_length": MAX_TEXT,
        "placeholder": bk.plain(placeholder, 150),
    }
    if initial:
        element["initial_value"] = initial
    return bk.input_block(block_id, label, element, optional=True)


def feedback_form_view(form: FeedbackForm, t: Translator) -> dict[str, Any]:
    """One modal, five inputs: rating, most valuable, what to change, SDGs, recommend."""
    previous = form.previous or FeedbackAnswers(rating=0)
    ratings = [bk.option(t.gettext(RATING_LABELS[r]), str(r)) for r in sorted(RATING_LABELS)]
    rating_element: dict[str, Any] = {
        "type": "radio_buttons",
        "action_id": ActionId.FEEDBACK_RATING_INPUT,
        "options": ratings,
    }
    if previous.rating in RATING_LABELS:
        rating_element["initial_option"] = ratings[previous.rating - 1]

    goals = [bk.option(goal_name(goal, t), str(goal)) for goal in GOALS]
    goals_element: dict[str, Any] = {
        "type": "multi_static_select",
        "action_id": ActionId.FEEDBACK_GOALS_INPUT,
        "placeholder": bk.plain(t.gettext("Choose goals"), 150),
        "options": goals,
    }
    if previous.goals:
        goals_element["initial_options"] = [goals[goal - 1] for goal in previous.goals]

    answers = [bk.option(t.gettext("Yes"), "yes"), bk.option(t.gettext("No"), "no")]
    recommend_element: dict[str, Any] = {
        "type": "radio_buttons",
        "action_id": ActionId.FEEDBACK_RECOMMEND_INPUT,
        "options": answers,
    }
    if previous.would_recommend is not None:
        recommend_element["initial_option"] = answers[0 if previous.would_recommend else 1]

    notes = [privacy_note(form.anonymous, t)]
    if form.previous is not None:
        notes.append(t.gettext("You have answered before: sending again replaces that answer."))
    blocks: list[bk.Block] = [
        bk.section(render("feedback_form_intro.md.j2", t, title=form.title)),
        bk.context(*notes),
        bk.input_block(
            BlockId.FEEDBACK_RATING, t.gettext("Overall, how was the session?"), rating_element
        ),
        _text_input(
            BlockId.FEEDBACK_VALUABLE,
            ActionId.FEEDBACK_VALUABLE_INPUT,
            t.gettext("What was most valuable?"),
            previous.most_valuable,
            t.gettext("A speaker, a conversation, an idea to take home…"),
        ),
        _text_input(
            BlockId.FEEDBACK_CHANGE,
            ActionId.FEEDBACK_CHANGE_INPUT,
            t.gettext("What should we change?"),
            previous.should_change,
            t.gettext("Format, length, topics, practical matters…"),
        ),
        bk.input_block(
            BlockId.FEEDBACK_GOALS,
            t.gettext("Which SDGs did the session help you with?"),
            goals_element,
            optional=True,
        ),
        bk.input_block(
            BlockId.FEEDBACK_RECOMMEND,
            t.gettext("Would you recommend the network to a colleague?"),
            recommend_element,
            optional=True,
        ),
    ]
    return {
        "type": "modal",
        "callback_id": CallbackId.FEEDBACK,
        "private_metadata": form.key,
        "title": bk.plain(t.gettext(FORM_TITLE), bk.MAX_MODAL_TITLE),
        "submit": bk.plain(t.gettext("Send"), 24),
        "close": bk.plain(t.gettext("Cancel"), 24),
        "blocks": blocks,
    }


def thanks_text(outcome: SubmitOutcome, t: Translator) -> str:
    _ = gettext_for(t)
    if outcome.replaced:
        return ":white_check_mark: " + _(
            "Thank you! Your new answer on %(title)s replaces the one you gave earlier.",
            title=outcome.title,
        )
    text = ":white_check_mark: " + _(
        "Thank you for your feedback on %(title)s!", title=outcome.title
    )
    if outcome.anonymous:
        text += " " + _("It is stored without your name.")
    return text
