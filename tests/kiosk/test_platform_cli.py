"""`kiosk platform check|services|case` against a real gateway on loopback: exit codes, words, JSON;
and the [platform] settings: validated in one line, the token never shown."""

from __future__ import annotations

import json
import re
import time
from email.utils import formatdate
from pathlib import Path

import pytest
from click.testing import CliRunner

from kiosk.cli import main
from kiosk.release_format import validate_pushed_config
from kiosk.settings import DEFAULTS_FILE, SettingsError, environment_layer, load_settings, read_toml_layer
from tests.kiosk.test_platform_gateway import CASE, SERVICES
from tests.platform_gateway import PAAS_ID, TOKEN, GatewayServer, Reply, Request, closed_port


def _run(tmp_path: Path, args: list[str], url: str, **platform: str) -> tuple[int, str, str]:
    site = tmp_path / "kiosk.toml"
    keys = {"url": url, "paas_id": PAAS_ID, "token": TOKEN, "timeout": "2", **platform}
    lines = [
        f"{key} = {value}" if key == "timeout" else f"{key} = {json.dumps(value)}"
        for key, value in keys.items()
    ]
    site.write_text("[platform]\n" + "\n".join(lines) + "\n", encoding="utf-8")
    env = {"KIOSK_CONFIG": str(site), "KIOSK_DATA_DIR": str(tmp_path / "data")}
    result = CliRunner().invoke(main, ["platform", *args], env=env)
    assert not result.exception or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.stdout, result.stderr


def test_check_passes_when_the_gateway_accepts_a_signed_call(tmp_path: Path) -> None:
    with GatewayServer(lambda request: Reply.ok(SERVICES)) as server:
        code, out, _ = _run(tmp_path, ["check", "--json"], server.url)
    assert code == 0 and json.loads(out)["ok"] is True and json.loads(out)["services"] == 2
    assert server.requests[0].signed


def test_check_passes_with_the_token_in_a_file(tmp_path: Path) -> None:
    token_file = tmp_path / "token"
    token_file.write_text(TOKEN + "\n", encoding="utf-8")
    with GatewayServer(lambda request: Reply.ok(SERVICES)) as server:
        code, out, _ = _run(tmp_path, ["check"], server.url, token="", token_file=str(token_file))
    assert code == 0 and out.startswith("ok: the gateway accepted a signed call")


@pytest.mark.parametrize("content", [None, ""])
def test_an_unreadable_or_empty_token_file_is_not_configured(tmp_path: Path, content: str | None) -> None:
    token_file = tmp_path / "token"
    if content is not None:
        token_file.write_text(content, encoding="utf-8")
    code, _, err = _run(tmp_path, ["check"], "http://127.0.0.1:1", token="", token_file=str(token_file))
    assert code == 1 and err.startswith(f"not configured: platform.token_file: {token_file}")


def test_check_says_the_signature_was_rejected(tmp_path: Path) -> None:
    with GatewayServer(lambda request: Reply.ok(SERVICES)) as server:
        code, _, err = _run(tmp_path, ["check"], server.url, token="wrong")
    assert code == 1 and err.startswith("signature rejected") and "wrong" not in err


def test_check_names_the_clock_skew(tmp_path: Path) -> None:
    reply = Reply(
        401,
        Reply.envelope("TIMESTAMP_SKEW", "时间戳超出范围").body,
        {"Date": formatdate(time.time() - 600, usegmt=True)},
    )
    with GatewayServer(lambda request: reply) as server:
        code, out, _ = _run(tmp_path, ["check", "--json"], server.url)
    answer = json.loads(out)
    assert code == 1
    assert re.fullmatch(r"kiosk clock is (599|600|601) s off \(ahead of the platform\)", answer["reason"])
    assert answer["clock_off_seconds"] in (-600, -599, -601)


def test_check_says_unreachable_and_timeout(tmp_path: Path) -> None:
    code, _, err = _run(tmp_path, ["check"], f"http://127.0.0.1:{closed_port()}")
    assert code == 1 and err.startswith("unreachable")
    with GatewayServer(lambda request: Reply(200, Reply.ok(SERVICES).body, drip=0.1)) as server:
        started = time.monotonic()
        code, out, _ = _run(tmp_path, ["check", "--json"], server.url, timeout="1")
    assert code == 1 and json.loads(out)["reason"] == "timeout" and time.monotonic() - started < 2.5


def test_check_says_when_the_platform_is_not_configured(tmp_path: Path) -> None:
    code, out, _ = _run(tmp_path, ["check", "--json"], "", paas_id="", token="")
    assert code == 1 and json.loads(out)["reason"] == "not configured"


def test_services_are_listed_in_the_platforms_order(tmp_path: Path) -> None:
    with GatewayServer(lambda request: Reply.ok(SERVICES)) as server:
        code, out, _ = _run(tmp_path, ["services", "--json"], server.url)
        assert code == 0 and json.loads(out) == SERVICES
        code, out, _ = _run(tmp_path, ["services"], server.url)
    assert code == 0 and [line.split("\t")[0] for line in out.splitlines()] == [
        "si.certificate",
        "case.progress",
    ]


def test_a_case_is_shown_with_its_stages(tmp_path: Path) -> None:
    with GatewayServer(lambda request: Reply.ok(CASE)) as server:
        code, out, _ = _run(
            tmp_path, ["case", "WH2026120700123", "--query-code", "8842", "--json"], server.url
        )
        assert code == 0 and json.loads(out)["stages"][1] == {"name": "审查", "at": None, "done": False}
        code, out, _ = _run(tmp_path, ["case", "WH2026120700123", "--query-code", "8842"], server.url)
    assert code == 0 and "[x] 受理" in out and "审查中" in out
    assert server.requests[0].query == {"query_code": ["8842"]}


@pytest.mark.parametrize(
    ("refusal", "exit_code"), [("NOT_FOUND", 3), ("CODE_MISMATCH", 4), ("FACE_REQUIRED", 4)]
)
def test_a_missing_case_exits_3_and_a_refusal_4_with_the_platforms_words(
    tmp_path: Path, refusal: str, exit_code: int
) -> None:
    def answer(request: Request) -> Reply:
        return Reply.envelope(refusal, "查询码不正确或办件不存在，请核对回执。")

    with GatewayServer(answer) as server:
        code, out, _ = _run(tmp_path, ["case", "WH1", "--query-code", "0", "--json"], server.url)
        assert code == exit_code and json.loads(out)["message"] == "查询码不正确或办件不存在，请核对回执。"
        code, _, err = _run(tmp_path, ["case", "WH1", "--query-code", "0"], server.url)
    assert code == exit_code and err.strip() == f"refused ({refusal}): 查询码不正确或办件不存在，请核对回执。"


def test_a_case_on_a_failing_platform_exits_1(tmp_path: Path) -> None:
    with GatewayServer(lambda request: Reply(500, b"")) as server:
        code, _, err = _run(tmp_path, ["case", "WH1", "--query-code", "0"], server.url)
    assert code == 1 and err.startswith("unreachable")


def test_config_show_never_prints_the_token(tmp_path: Path) -> None:
    site = tmp_path / "kiosk.toml"
    site.write_text(
        f'[platform]\nurl = "https://gw.example"\npaas_id = "k1"\ntoken = "{TOKEN}"\n', encoding="utf-8"
    )
    env = {"KIOSK_CONFIG": str(site), "KIOSK_DATA_DIR": str(tmp_path / "data")}
    for args in (["config", "show"], ["config", "show", "--json"], ["config", "show", "--origins"]):
        result = CliRunner().invoke(main, args, env=env)
        assert result.exit_code == 0 and "platform" in result.output
        assert TOKEN not in result.output
    environment = CliRunner().invoke(
        main, ["config", "show"], env={**env, "KIOSK__PLATFORM__TOKEN": "from-env-secret"}
    )
    assert (
        "from-env-secret" not in environment.output and 'platform.token = "**********"' in environment.output
    )


@pytest.mark.parametrize(
    ("values", "key", "reason"),
    [
        ({"url": "gw.example"}, "platform.url", "must be an http(s) address"),
        ({"url": "https://gw.example"}, "platform.url", "needs platform.paas_id"),
        (
            {"url": "https://gw.example", "paas_id": "k"},
            "platform.url",
            "needs platform.token or platform.token_file",
        ),
        ({"token": "t", "token_file": "/etc/kiosk/token"}, "platform.token_file", "not both"),
        ({"token_file": "token.txt"}, "platform.token_file", "absolute path"),
        ({"alg": "MD5"}, "platform.alg", "'SHA256' or 'SM3'"),
        ({"timeout": 0}, "platform.timeout", "greater than 0"),
        ({"timeot": 3}, "platform.timeot", "did you mean 'platform.timeout'"),
        ({"max_pages": 0}, "platform.max_pages", "greater than or equal to 1"),
        ({"max_pages": 501}, "platform.max_pages", "less than or equal to 500"),
    ],
)
def test_bad_platform_settings_name_the_key_and_the_file(
    tmp_path: Path, values: dict[str, object], key: str, reason: str
) -> None:
    site = tmp_path / "kiosk.toml"
    site.write_text(
        "[platform]\n" + "".join(f"{name} = {json.dumps(value)}\n" for name, value in values.items()),
        encoding="utf-8",
    )
    with pytest.raises(SettingsError) as caught:
        load_settings([read_toml_layer(DEFAULTS_FILE), read_toml_layer(site)])
    assert (caught.value.key, caught.value.source) == (key, str(site))
    assert reason in str(caught.value)


def test_a_bad_platform_setting_from_the_environment_is_one_line_from_the_command(tmp_path: Path) -> None:
    env = {
        "KIOSK_DATA_DIR": str(tmp_path / "data"),
        "KIOSK_CONFIG": str(DEFAULTS_FILE),
        "KIOSK__PLATFORM__ALG": "MD5",
    }
    result = CliRunner().invoke(main, ["platform", "check"], env=env)
    assert result.exit_code == 1 and len(result.output.splitlines()) == 1
    assert "environment variable KIOSK__PLATFORM__ALG: platform.alg" in result.output
    with pytest.raises(SettingsError):
        load_settings([read_toml_layer(DEFAULTS_FILE), environment_layer({"KIOSK__PLATFORM__TIMEOUT": "61"})])


@pytest.mark.parametrize("key", ["paas_id", "token", "token_file"])
def test_the_platform_credentials_are_never_pushed_by_the_fleet(key: str) -> None:
    pushed = f'[platform]\n{key} = "/x"\n'.encode()
    with pytest.raises(SettingsError) as caught:
        validate_pushed_config(pushed, "config/all.toml")
    assert caught.value.key == f"platform.{key}" and "cannot be pushed" in caught.value.reason
    assert validate_pushed_config(b'[platform]\ntimeout = 5\nalg = "SM3"\n', "config/all.toml")


def test_max_pages_is_30_unless_a_site_says_otherwise() -> None:
    default = load_settings([read_toml_layer(DEFAULTS_FILE)]).settings.platform
    site = environment_layer({"KIOSK__PLATFORM__MAX_PAGES": "120"})
    assert default.max_pages == 30
    assert load_settings([read_toml_layer(DEFAULTS_FILE), site]).settings.platform.max_pages == 120
    assert validate_pushed_config(b"[platform]\nmax_pages = 10\n", "config/all.toml")  # a fleet may set it


def test_an_id_and_a_token_made_of_digits_are_text_from_the_environment() -> None:
    environ = {"KIOSK__PLATFORM__PAAS_ID": "10001", "KIOSK__PLATFORM__TOKEN": "20261207"}
    platform = load_settings([read_toml_layer(DEFAULTS_FILE), environment_layer(environ)]).settings.platform
    assert (platform.paas_id, platform.token.get_secret_value()) == ("10001", "20261207")
