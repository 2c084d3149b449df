# The `azure` package of Switchboard's Python worker: it provides azure.functions (see functions/) and
# extends its path so that other installed azure.* packages stay importable.
__path__ = __import__("pkgutil").extend_path(__path__, __name__)
