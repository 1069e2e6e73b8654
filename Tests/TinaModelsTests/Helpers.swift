@_exported import TinaTestSupport
