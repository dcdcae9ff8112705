"""The survey's web page for invitation links (SUR-3): /survey/{token}, one question at a time, no sign-in.

The token in the link is the invitation's own unguessable one (sent once, by email or where no bot can
ask); answering goes through the same core rules as the bot, with channel `web`, the link as identity
and the visitor's IP address (SUR-4). Completing the response triggers the low-score follow-up.
"""

from __future__ import annotations

from aiohttp import web

from admin.web.templating import render
from core.actions.survey_responses import complete_response, next_question, record_answer, start_response
from core.models import Channel, QuestionKind, SurveyInvite
from core.queries.customer import published_survey
from core.survey_rules import NPS_RANGE, RATING_RANGE, InvalidAnswer
from core.text import to_ascii_digits

CLOSED = "این نظرسنجی دیگر پاسخ نمی‌پذیرد. از همراهی شما سپاسگزاریم."
ANSWERED = "پاسخ شما پیش‌تر ثبت شده است. از همراهی شما سپاسگزاریم."
THANKS = "پاسخ شما ثبت شد. از همراهی شما سپاسگزاریم."
UNKNOWN = "این پیوند معتبر نیست. لطفاً نشانی را از پیام دریافتی دوباره باز کنید."
HINT = "این پاسخ پذیرفته نشد. لطفاً یکی از گزینه‌ها را انتخاب کنید یا پاسخ را کامل کنید."


def _page(request: web.Request, *, status: int = 200, **context: object) -> web.Response:
    base: dict[str, object] = {"survey": None, "question": None, "message": "", "hint": "", "scale": [], "token": ""}
    response = render("survey_public.html", request, {**base, **context}, status=status)
    response.headers["Cache-Control"] = "no-store"
    return response


async def _response_id(request: web.Request) -> tuple[SurveyInvite | None, int | None, str]:
    """The invitation of the link and its response (started now if need be), or the message to show instead."""
    invite = await SurveyInvite.get_or_none(token=request.match_info["token"], status="sent")
    if invite is None:
        return None, None, UNKNOWN
    try:
        response = await start_response(
            invite.survey_id,
            invite.contact_id,
            Channel.WEB,
            identity=f"survey-link:{invite.id}",
            ip=request.remote,
        )
    except InvalidAnswer as exc:
        return invite, None, ANSWERED if exc.code == "completed" else CLOSED
    return invite, response.id, ""


async def survey_page(request: web.Request, *, hint: str = "", status: int = 200) -> web.Response:
    """The next question of the invitation's survey, or the thanks once every shown question is answered."""
    invite, response_id, message = await _response_id(request)
    if invite is None or response_id is None:
        return _page(request, message=message, status=404 if invite is None else 200)
    survey = await published_survey(invite.survey_id)
    question = await next_question(response_id)
    if question is None:
        await complete_response(response_id)
        return _page(request, survey=survey, message=(survey.thank_you if survey else "") or THANKS)
    scale = {QuestionKind.RATING: RATING_RANGE, QuestionKind.NPS: NPS_RANGE}.get(question.kind)
    values = list(range(scale[0], scale[1] + 1)) if scale else []
    return _page(request, survey=survey, question=question, scale=values, hint=hint, token=invite.token, status=status)


async def survey_answer(request: web.Request) -> web.Response:
    """Record the answer to the question on the page, then show the next one (the same one with a hint if refused)."""
    invite, response_id, message = await _response_id(request)
    if invite is None or response_id is None:
        return _page(request, message=message, status=404 if invite is None else 200)
    form = await request.post()
    question_id = to_ascii_digits(str(form.get("question_id", ""))).strip()
    picked = [to_ascii_digits(str(v)) for v in form.getall("option", []) if str(v).strip().isdigit()]
    number, text = form.get("number"), form.get("text")
    try:
        await record_answer(
            response_id,
            int(question_id) if question_id.isdigit() else 0,
            option_ids=[int(v) for v in picked],
            number=number if isinstance(number, str) else None,
            text=text if isinstance(text, str) else None,
        )
    except InvalidAnswer:
        return await survey_page(request, hint=HINT, status=400)
    raise web.HTTPSeeOther(f"/survey/{invite.token}")


def setup(app: web.Application) -> None:
    """Register the public survey page."""
    app.router.add_get("/survey/{token}", survey_page)
    app.router.add_post("/survey/{token}", survey_answer)
