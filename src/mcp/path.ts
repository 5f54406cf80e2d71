// Where a peer serves MCP on its status port (its own module: the server side loads only when asked).
export const MCP_PATH = '/mcp';
