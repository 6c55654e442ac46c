"""A staff socket is closed with 4403 while the operator requires 2FA and none is enrolled."""

from __future__ import annotations

import pyotp
import pytest
from channels.db import database_sync_to_async
from django.test import override_settings

from backend.accounts import otp

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def staff(make_agent, org):  # type: ignore[no-untyped-def]
    return make_agent(org, "Sam Équipe", staff=True)


@database_sync_to_async
def enrol(user) -> None:  # type: ignore[no-untyped-def]
    enrolment = otp.otp_enrol_start(user=user)
    otp.otp_enrol_confirm(user=user, code=pyotp.TOTP(enrolment.secret).now())


async def test_staff_without_2fa_gets_an_error_then_close_4403_and_nothing_else(connect, staff):
    with override_settings(PREAU_STAFF_2FA="required"):
        socket = await connect(staff, expect_hello=False)
        error = await socket.recv()
        closed = await socket.recv()

    assert error["type"] == "error"
    assert (error["code"], error["reason"]) == ("forbidden", "two_factor_required")
    assert closed == {"type": "__closed__", "code": 4403}


async def test_staff_with_2fa_and_agents_connect_as_usual(connect, staff, alice):
    await enrol(staff)
    with override_settings(PREAU_STAFF_2FA="required"):
        staff_socket = await connect(staff)
        alice_socket = await connect(alice)

    assert staff_socket.hello["type"] == "hello"
    assert alice_socket.hello["type"] == "hello"


async def test_staff_without_2fa_connects_when_the_operator_does_not_require_it(connect, staff):
    socket = await connect(staff)
    assert socket.hello["type"] == "hello"
