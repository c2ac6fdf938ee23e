"""Keys are handled one at a time, in the order the terminal sent them.

Why (Textual 8.2.8, the pinned version; Textual issue #6605, unfixed there):
the app hands each key it reads to the focused widget's message queue and goes
straight on to the next key. A key the widget consumes itself (a letter in an
``Input``) takes effect as soon as the widget reads it; a key it only has a
*binding* for (backspace, the arrows, ``ctrl+w``...) is passed up through the
queue of every ancestor back to the app, and only then does its action run.
When several keys come in one read (fast typing over SSH, ``tmux send-keys``),
the letters after a backspace are typed before the backspace deletes: with
``housi`` in the search box, backspace x5 then ``hire`` leaves ``hous``. The
app's own priority bindings (Enter, Escape, ``/``) had the opposite problem:
they run the moment the app reads them, before the keys ahead of them in the
widget's queue. The terminal parser is not at fault: it yields the keys in order.

What: ``KeysInOrder`` (mixed into ``CtdcApp``) holds each key read from the
terminal (and each paste) until the one before it has finished. After handing
a key on, the app posts a ``KeyHandled`` marker to the same widget. Every queue
keeps its order and the marker bubbles up the path the key takes, so when the
marker reaches the app the key has been consumed or its binding has run; the
next held key goes then. Keys the focused widget takes itself
(``check_consume_key``: a printable character in an ``Input`` or ``TextArea``,
which no binding can take there) go straight after one another, since that
widget's queue alone keeps them in order; typed with nothing else on its way,
such a key gets no marker at all (typing costs what it did), and the next key
of another kind posts one behind them and waits for it.

Safety: the marker is lost if a widget on its path closes first (a dialog that
the key dismissed). The next key then checks the path and goes at once, and a
timer does the same for keys already held, so no key waits more than
``KEY_WAIT_LIMIT`` seconds. Textual's own files are not patched.
"""

from __future__ import annotations

from collections import deque
from time import monotonic
from typing import Any

from textual import events
from textual.message import Message
from textual.message_pump import MessagePump

KEY_WAIT_LIMIT = 1.0  # seconds a key may wait for the one before it, whatever happens
_WATCH_EVERY = 0.1  # how often held keys check that the marker they wait for can still arrive


class KeyHandled(Message):
    """Follows a key up its path: when the app gets it, that key is done with."""

    def __init__(self, serial: int) -> None:
        super().__init__()
        self.serial = serial


class KeysInOrder:
    """App mixin: one key from the terminal at a time (see the module docstring)."""

    _key_serial = 0
    _key_out: int | None = None  # the serial of the marker the next key waits for
    _key_out_path: MessagePump | None = None  # where that marker was posted
    _key_out_at = 0.0
    _key_out_taken_by: MessagePump | None = None  # the widget that took every key out itself
    _held_input: deque[events.Event] | None = None
    _key_watch_armed = False
    _settle_wanted = False  # someone waits for keys_settled (the watch keeps going until then)
    _in_flight = 0  # keys handed on whose marker has not come back
    _unmarked_taker: MessagePump | None = None  # took keys typed alone, sent without a marker

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, (events.Key, events.Paste)):
            if not self._screen_stack:  # type: ignore[attr-defined]
                # Still on its way (from the terminal, or passed up by a widget) when the app
                # shut down: Textual would look its bindings up on a screen that is gone.
                return
            if not event.is_forwarded:
                await self._read_input(event)
                return
        await super().on_event(event)  # type: ignore[misc]

    async def _read_input(self, event: events.Event) -> None:
        held = self._held_input
        if held is None:
            held = self._held_input = deque()
        if self._key_out is not None and not self._marker_can_arrive():
            self._key_out, self._in_flight = None, 0  # (the marker was lost)
        if self._key_out is None and not held:
            taker = self._taker_of(event)
            unmarked = self._unmarked_taker
            if taker is not None and unmarked in (None, taker):
                # Typed into the widget that took the keys before it: its own queue keeps
                # the order, so no marker (a key typed alone costs nothing extra).
                self._unmarked_taker = taker
                await super().on_event(event)  # type: ignore[misc]
                return
            if unmarked is None:
                await self._send_input(event)
                return
            # Letters typed before this key may not be in yet: it waits for them.
            self._unmarked_taker = None
            self._post_marker(unmarked, unmarked)
        if self._key_out is not None:
            taker = self._key_out_taken_by
            if not held and taker is not None and self._taker_of(event) is taker:
                await self._send_input(event)  # typed into the widget that has the keys before it
                return
            held.append(event)
            self._watch_held_keys()
            return
        held.append(event)
        await self._send_held_input()

    async def _on_key_handled(self, message: KeyHandled) -> None:
        message.stop()
        self._in_flight = max(self._in_flight - 1, 0)
        if message.serial != self._key_out:
            return  # a key typed on behind it is still on its way, or a marker given up on
        self._key_out = None
        await self._send_held_input()

    async def _send_held_input(self) -> None:
        held = self._held_input
        while held:
            if self._key_out is not None:
                taker = self._key_out_taken_by
                if taker is None or self._taker_of(held[0]) is not taker:
                    return
            await self._send_input(held.popleft())
        if self._key_out is None:
            self._settle_wanted = False
            self.keys_settled()

    @property
    def more_keys_coming(self) -> bool:
        """Keys read after the one being handled now are waiting or on their way."""
        return bool(self._held_input) or self._in_flight > 1

    def call_when_keys_settle(self) -> None:
        """Make sure ``keys_settled`` is called once the keys now on their way are done."""
        self._settle_wanted = True
        self._watch_held_keys()

    def keys_settled(self) -> None:
        """Every key read so far is done with (override to act once per burst)."""

    def _taker_of(self, event: events.Event) -> MessagePump | None:
        """The focused widget when it takes ``event`` itself (no binding can), else None."""
        if not isinstance(event, events.Key):
            return None
        focused: Any = getattr(self, "focused", None)
        if focused is None or not focused.check_consume_key(event.key, event.character):
            return None
        return focused  # type: ignore[no-any-return]

    async def _send_input(self, event: events.Event) -> None:
        app: Any = self
        try:
            target: MessagePump | None = app.focused or app.screen
        except Exception:  # no screen yet: Textual's own handling decides
            target = None
        taker = self._taker_of(event) if target is not None else None
        self._unmarked_taker = None
        await super().on_event(event)  # type: ignore[misc]
        if target is not None:
            self._post_marker(target, taker)

    def _post_marker(self, target: MessagePump, taker: MessagePump | None) -> None:
        """Follow the keys handed to ``target`` so far with a marker; the next key waits for it."""
        self._key_serial += 1
        if target.post_message(KeyHandled(self._key_serial)):
            self._key_out = self._key_serial
            self._in_flight += 1
            self._key_out_path = target
            self._key_out_at = monotonic()
            self._key_out_taken_by = taker

    def _marker_can_arrive(self) -> bool:
        """Whether every node from where the marker was posted up to the app is still open."""
        if monotonic() - self._key_out_at > KEY_WAIT_LIMIT:
            return False
        node = self._key_out_path
        while node is not None and node is not self:
            if node._closing or node._closed:
                return False
            node = node._parent
        return node is self

    def _watch_held_keys(self) -> None:
        if self._key_watch_armed:
            return
        self._key_watch_armed = True
        self.set_timer(_WATCH_EVERY, self._check_held_keys)  # type: ignore[attr-defined]

    async def _check_held_keys(self) -> None:
        self._key_watch_armed = False
        if not self._held_input and not self._settle_wanted:
            return
        if self._key_out is not None and self._marker_can_arrive():
            self._watch_held_keys()
            return
        self._key_out, self._in_flight = None, 0
        await self._send_held_input()
        if self._held_input or (self._settle_wanted and self._key_out is not None):
            self._watch_held_keys()
