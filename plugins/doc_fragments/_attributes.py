# -*- coding: utf-8 -*-
# Copyright: hwcloud.dataarts contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

# Private to this collection: it may change at any time.

from __future__ import annotations


class ModuleDocFragment:
    # What each attribute means; every module adds its own support levels.
    DOCUMENTATION = r"""
options: {}
attributes:
  check_mode:
    description: Can run with C(--check) and reports whether it would change anything, without changing it.
  diff_mode:
    description: With C(--diff), returns the before and after state of what the task manages.
  idempotent:
    description:
      - Run twice in a row with the same options (outside check mode), the second run reports no change.
      - This assumes nobody else changed the instance in between.
  action_group:
    description: Use C(group/hwcloud.dataarts.fabric) in C(module_defaults) to set the connection options once for all members.
    support: full
    membership:
      - hwcloud.dataarts.fabric
"""

    # For modules that only read.
    READ_ONLY = r"""
options: {}
attributes:
  check_mode:
    support: full
    details:
      - The module only reads, so check mode runs it as usual.
  diff_mode:
    support: N/A
    details:
      - The module changes nothing.
  idempotent:
    support: full
    details:
      - The module changes nothing.
"""
