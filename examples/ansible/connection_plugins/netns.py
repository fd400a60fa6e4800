# A connection plugin for trying the fleet check on one machine: a "host"
# is a Linux network namespace of the controller, named by the path of
# its file (`ip netns add web` makes /run/netns/web; `unshare
# --net=FILE true` makes one bound to FILE).  Tasks run as with the
# local connection, in that namespace (nsenter --net): same files, same
# users, the namespace's own interfaces and ports.  Real fleets use ssh;
# tests/ansible.bats uses this.
from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = """
    name: netns
    short_description: run tasks in a network namespace of the controller
    description:
        - Like the local connection, with every command run through
          C(nsenter --net=PATH) so it sees the namespace's network.
    author: sockit developers
    extends_documentation_fragment:
        - connection_pipelining
    options:
        netns:
            description: The namespace's file (/run/netns/NAME, or the file
                C(unshare --net=FILE) bound it to).
            required: true
            vars:
                - name: ansible_netns
"""

import shlex

from ansible.module_utils._text import to_text
from ansible.plugins.connection.local import Connection as LocalConnection


class Connection(LocalConnection):
    transport = "netns"

    def exec_command(self, cmd, in_data=None, sudoable=True):
        # the local connection runs a string through /bin/sh -c
        netns = shlex.quote("--net=" + self.get_option("netns"))
        cmd = "nsenter %s -- %s" % (netns, to_text(cmd))
        return super(Connection, self).exec_command(cmd, in_data, sudoable)
