// Every setting that has an environment variable or a flag, in one table: the loader and --help both read it.

export type SettingKind = 'string' | 'int' | 'number' | 'bool' | 'list';

export interface Setting {
  /** Path in the config object, e.g. ['orchestrator', 'port']. */
  path: readonly [string, string];
  env: string;
  flag: string;
  kind: SettingKind;
  help: string;
}

export const SETTINGS: readonly Setting[] = [
  { path: ['orchestrator', 'host'], env: 'MCP_ORCHESTRATOR_HOST', flag: 'http-host', kind: 'string', help: 'status/API host (default 127.0.0.1)' },
  { path: ['orchestrator', 'port'], env: 'MCP_ORCHESTRATOR_PORT', flag: 'http-port', kind: 'int', help: 'status/API port, 0 = any free port (default 8080)' },
  { path: ['orchestrator', 'log_level'], env: 'MCP_ORCHESTRATOR_LOG_LEVEL', flag: 'log-level', kind: 'string', help: 'debug | info | warn | error | silent (default info)' },
  { path: ['orchestrator', 'max_concurrent_executions'], env: 'MCP_ORCHESTRATOR_MAX_CONCURRENT_EXECUTIONS', flag: 'max-concurrent-executions', kind: 'int', help: 'executions pending or running at once; more are answered 429 (default 10)' },
  { path: ['orchestrator', 'task_timeout'], env: 'MCP_ORCHESTRATOR_TASK_TIMEOUT', flag: 'task-timeout', kind: 'number', help: 'seconds a task may last at most (default 3600)' },
  { path: ['p2p', 'host'], env: 'MCP_P2P_HOST', flag: 'p2p-host', kind: 'string', help: 'libp2p listen host; 0.0.0.0 for a multi-host cluster (default 127.0.0.1)' },
  { path: ['p2p', 'port'], env: 'MCP_P2P_PORT', flag: 'p2p-port', kind: 'int', help: 'libp2p listen port, 0 = any free port (default 4001)' },
  { path: ['p2p', 'bootstrap'], env: 'MCP_BOOTSTRAP', flag: 'bootstrap', kind: 'list', help: 'peers to join: multiaddrs (/p2p/<id> optional) or host:port, comma-separated' },
  { path: ['discovery', 'mdns'], env: 'MCP_DISCOVERY_MDNS', flag: 'mdns', kind: 'bool', help: 'find peers on the LAN with mDNS (default true; --no-mdns)' },
  { path: ['discovery', 'broadcast_interval'], env: 'MCP_DISCOVERY_BROADCAST_INTERVAL', flag: 'mdns-interval', kind: 'number', help: 'seconds between mDNS queries (default 5)' },
  { path: ['discovery', 'suspect_timeout'], env: 'MCP_DISCOVERY_SUSPECT_TIMEOUT', flag: 'suspect-timeout', kind: 'number', help: 'seconds of silence before a member is suspect (default 2.5 heartbeats)' },
  { path: ['discovery', 'dead_timeout'], env: 'MCP_DISCOVERY_DEAD_TIMEOUT', flag: 'dead-timeout', kind: 'number', help: 'seconds of silence before a member is dead (default 5 heartbeats)' },
  { path: ['discovery', 'disconnect_grace'], env: 'MCP_DISCOVERY_DISCONNECT_GRACE', flag: 'disconnect-grace', kind: 'number', help: 'seconds a disconnected member stays suspect before dead (default 0.5)' },
  { path: ['discovery', 'service_timeout'], env: 'MCP_DISCOVERY_SERVICE_TIMEOUT', flag: 'dead-cleanup', kind: 'number', help: 'seconds before a dead member is forgotten (default 90)' },
  { path: ['communication', 'heartbeat_interval'], env: 'MCP_COMM_HEARTBEAT_INTERVAL', flag: 'heartbeat-interval', kind: 'number', help: 'seconds between membership heartbeats (default 1)' },
  { path: ['communication', 'message_timeout'], env: 'MCP_COMM_MESSAGE_TIMEOUT', flag: 'message-timeout', kind: 'number', help: 'seconds a direct message may take (default 60)' },
  { path: ['node', 'data_dir'], env: 'MCP_DATA_DIR', flag: 'data-dir', kind: 'string', help: 'where the peer keeps its key and store (default ./.mcp-data)' },
  { path: ['node', 'capabilities'], env: 'MCP_NODE_CAPABILITIES', flag: 'capabilities', kind: 'list', help: 'comma-separated capabilities (default http_load)' },
  { path: ['store', 'retention'], env: 'MCP_STORE_RETENTION', flag: 'store-retention', kind: 'number', help: 'days an ended execution stays in the store, 0 = forever (default 30)' },
  { path: ['load_generation', 'workers'], env: 'MCP_LOAD_WORKERS', flag: 'workers', kind: 'int', help: 'worker threads that send load, 0 = on the main thread (default: the host\'s cores)' },
  { path: ['node', 'location'], env: 'MCP_NODE_LOCATION', flag: 'location', kind: 'string', help: 'location label, e.g. eu-west-1 (default local)' },
  { path: ['node', 'store_driver'], env: 'MCP_STORE_DRIVER', flag: 'store-driver', kind: 'string', help: 'SQLite binding: auto (better-sqlite3 when it loads, else node:sqlite on Node 22.13+), better-sqlite3 or node:sqlite (default auto)' },
  { path: ['mcp', 'confirm_requests'], env: 'MCP_CONFIRM_REQUESTS', flag: 'mcp-confirm-requests', kind: 'int', help: 'an agent must get confirmation above this many requests (default 100000)' },
  { path: ['mcp', 'confirm_rps'], env: 'MCP_CONFIRM_RPS', flag: 'mcp-confirm-rps', kind: 'number', help: 'an agent must get confirmation above this peak rate, req/s (default 1000)' },
  { path: ['limits', 'max_rps'], env: 'MCP_LIMITS_MAX_RPS', flag: 'max-rps', kind: 'int', help: 'requests per second one task may ask (default 100000)' },
  { path: ['limits', 'max_duration'], env: 'MCP_LIMITS_MAX_DURATION', flag: 'max-duration', kind: 'number', help: 'seconds one task may last (default 3600)' },
  { path: ['limits', 'max_connections'], env: 'MCP_LIMITS_MAX_CONNECTIONS', flag: 'max-connections', kind: 'int', help: 'connections, users or requests in flight of one task (default 10000)' },
  { path: ['limits', 'max_targets_per_task'], env: 'MCP_LIMITS_MAX_TARGETS_PER_TASK', flag: 'max-targets-per-task', kind: 'int', help: 'targets in one task (default 100)' },
  { path: ['limits', 'max_tasks_per_plan'], env: 'MCP_LIMITS_MAX_TASKS_PER_PLAN', flag: 'max-tasks-per-plan', kind: 'int', help: 'tasks in one plan (default 20)' },
  { path: ['limits', 'max_total_requests'], env: 'MCP_LIMITS_MAX_TOTAL_REQUESTS', flag: 'max-total-requests', kind: 'int', help: 'requests one execution may send, peak rate x duration (default 50000000)' },
  { path: ['limits', 'max_body_bytes'], env: 'MCP_LIMITS_MAX_BODY_BYTES', flag: 'max-body-bytes', kind: 'int', help: 'bytes of request bodies in one plan, at most 3 MiB (default 1 MiB)' },
  { path: ['security', 'allowed_targets'], env: 'MCP_ALLOWED_TARGETS', flag: 'allowed-targets', kind: 'list', help: 'hosts, host:port, IPs and CIDRs load may go to, comma-separated (default: any; MCP: loopback)' },
  { path: ['security', 'api_token'], env: 'MCP_API_TOKEN', flag: 'api-token', kind: 'string', help: 'bearer token every API route but /api/health and /metrics requires' },
  { path: ['security', 'cluster_key'], env: 'MCP_CLUSTER_KEY', flag: 'cluster-key', kind: 'string', help: 'the cluster pre-shared key (from `node peer.js keygen`)' },
  { path: ['security', 'cluster_key_file'], env: 'MCP_CLUSTER_KEY_FILE', flag: 'cluster-key-file', kind: 'string', help: 'a file holding the cluster key' },
  { path: ['security', 'insecure'], env: 'MCP_INSECURE', flag: 'insecure', kind: 'bool', help: 'start on a non-loopback address without an API token or cluster key (default false)' },
  { path: ['health_monitoring', 'check_interval'], env: 'MCP_HEALTH_CHECK_INTERVAL', flag: 'health-interval', kind: 'number', help: 'seconds between health samples (default 5)' },
  { path: ['health_monitoring', 'alert_threshold'], env: 'MCP_HEALTH_ALERT_THRESHOLD', flag: 'health-alert-after', kind: 'int', help: 'consecutive breaching samples before an alert (default 3)' },
  { path: ['resource_management', 'allocation_timeout'], env: 'MCP_RESOURCE_ALLOCATION_TIMEOUT', flag: 'allocation-timeout', kind: 'number', help: 'seconds an allocation may wait for room (default 60)' },
  { path: ['resource_management', 'cleanup_interval'], env: 'MCP_RESOURCE_CLEANUP_INTERVAL', flag: 'cleanup-interval', kind: 'number', help: 'seconds between sweeps of expired allocations (default 300)' },
  { path: ['resource_management', 'monitoring_interval'], env: 'MCP_RESOURCE_MONITOR_INTERVAL', flag: 'resource-interval', kind: 'number', help: 'seconds between capacity re-announcements; also announced when a member joins (default 30)' },
  { path: ['resource_management', 'default_strategy'], env: 'MCP_DISTRIBUTION_STRATEGY', flag: 'strategy', kind: 'string', help: 'default placement strategy of workloads (default least_loaded)' },
];
