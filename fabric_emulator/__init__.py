# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Local emulator of the Huawei Cloud DataArts Fabric-ep service-instance REST API (standard library only).

Run it with ``python3 -m fabric_emulator --help``; use it from Python with
``from fabric_emulator.server import Emulator``.
"""

from __future__ import annotations

__version__ = "1.0.0"
