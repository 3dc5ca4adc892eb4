"""Slack listeners only: each is a small function of the frame's typed request.

How to write a listener (see ``handlers/frame.py``):

* A ``/sdg`` word: add its :class:`~bot.commands.CommandSpec` (with its help
  text) in ``bot/commands.py`` and an answer in a module's ``ANSWERS`` dict
  (``handlers/commands/<feature>.py``, merged in ``handlers/commands/sdg.py``)::

      def answer_show(req: Request, argument: str) -> Reply:
          with req.db() as db:
              view = sessions.session_by_key(db, req.team, argument, req.user_id)
          return session_reply(view, req.t, currency=req.settings.fees.currency)

  Return a ``Reply`` when it is computed fast (it goes into the ack), or a
  ``FollowUp(run=...)`` when it needs the Web API (``req.web``: modals,
  uploads); facilitator words are always follow-ups, and the frame confirms
  the facilitator with Slack before ``run``.
* A button: ``frame.action(ActionId.X, listener, facilitator=...)`` with
  ``def listener(req: Request) -> Reply | None`` reading ``req.value``; the
  reply goes privately to the clicker.
* A modal: ``frame.view(CallbackId.X, submit, notice=..., facilitator=...)``
  with ``def submit(req: Request) -> ModalAnswer`` reading ``req.state``.
* Raise a :class:`~bot.errors.DomainError` for anything the member should be
  told; never catch ``Exception`` in a listener: the frame maps every error
  once (private answer in the member's language; a reference in the answer
  and in one log line for the unexpected).
"""

from __future__ import annotations

from slack_bolt import App

from bot.runtime import Runtime


def register_listeners(app: App, runtime: Runtime) -> None:
    from handlers import actions, commands, events, views
    from handlers.frame import Frame

    frame = Frame(app, runtime)
    frame.register_error_handler()
    commands.register(frame)
    actions.register(frame)
    views.register(frame)
    events.register(frame)
