import subprocess
import sys


def test_cli_help_lists_the_program_and_exits_zero():
    out = subprocess.run([sys.executable, "-m", "kartoteka", "--help"], capture_output=True, text=True)
    assert out.returncode == 0
    assert "kartoteka" in out.stdout
