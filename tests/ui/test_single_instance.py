"""A second launch on the same data dir brings the first window to the front instead of starting again."""

from __future__ import annotations

import os
import subprocess
import sys

from workstation.ui.single_instance import InstanceServer, hand_over_to_running_instance, server_name


def test_a_second_launch_asks_the_first_to_come_to_the_front(qtbot, tmp_path):
    server = InstanceServer(tmp_path)
    try:
        with qtbot.waitSignal(server.activation_requested, timeout=5000):
            assert hand_over_to_running_instance(tmp_path)
    finally:
        server.close()


def test_with_nobody_running_the_launch_goes_ahead(qtbot, tmp_path):
    assert not hand_over_to_running_instance(tmp_path)


def test_profiles_with_different_data_dirs_do_not_collide(tmp_path):
    assert server_name(tmp_path / "a") != server_name(tmp_path / "b")
    assert server_name(tmp_path / "a") == server_name(tmp_path / "a" / ".." / "a")


def test_the_real_app_hands_over_and_exits_0(qtbot, tmp_path):
    data = tmp_path / "profile"
    data.mkdir()
    server = InstanceServer(data)
    try:
        env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
        activated = []
        server.activation_requested.connect(lambda: activated.append(True))
        process = subprocess.Popen(
            [sys.executable, "-m", "workstation", "--data-dir", str(data)],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
        )
        qtbot.waitUntil(lambda: bool(activated), timeout=30_000)
        out, _ = process.communicate(timeout=30)
        assert process.returncode == 0
        assert "已在运行" in out
    finally:
        server.close()
