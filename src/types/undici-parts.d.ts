// undici's index loads all of undici (fetch, WebSocket, EventSource, caches, mocks): about 55 ms and
// 0.05 CPU-s at every `node peer.js run` and in every load worker, and esbuild cannot leave any of it out
// (CommonJS). The project uses two classes; these are their own files, typed as the index types them.
declare module 'undici/lib/dispatcher/client.js' {
  import { Client } from 'undici';
  export default Client;
}
declare module 'undici/lib/dispatcher/agent.js' {
  import { Agent } from 'undici';
  export default Agent;
}
/** undici's `dispatcher.request()`, which its index attaches to every dispatcher: call it with the dispatcher as `this`. */
declare module 'undici/lib/api/api-request.js' {
  import type { Dispatcher } from 'undici';
  function request(this: Dispatcher, options: Dispatcher.RequestOptions): Promise<Dispatcher.ResponseData>;
  export default request;
}
