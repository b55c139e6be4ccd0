# Stand-in for the get-pip.py that `ansible-test --venv` downloads to bootstrap pip in the virtual
# environments it creates. The real script comes from a host that this network cannot reach; `make sanity`
# copies this file to ~/.ansible/test/cache/get_pip_<X>_<Y>.py for each bootstrap pip version that the pinned
# ansible-core uses. It bootstraps pip with ensurepip and then installs what ansible-test asked for
# (its pinned pip/setuptools) from the package index configured in pip.conf.
import subprocess
import sys

# ensurepip in a subprocess: in-process it hides the pip configuration (/etc/pip.conf).
subprocess.check_call([sys.executable, "-m", "ensurepip", "--upgrade"])
subprocess.check_call([sys.executable, "-m", "pip", "install"] + [a for a in sys.argv[1:] if a not in ("--no-setuptools", "--no-wheel")])
