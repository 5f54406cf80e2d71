// glibc's malloc arenas, set from inside a running Node process: Node has no FFI, and glibc reads its
// environment (MALLOC_ARENA_MAX) only when the process starts. Loaded by peer.js through
// src/util/arenas.ts; built at `npm install` by native/build.mjs, on Linux with glibc only. A peer
// without it runs with glibc's default arenas.
#define _GNU_SOURCE // open_memstream
#include <malloc.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

// The Node-API functions used, which are ABI-stable since Node-API 1, declared here so that the build
// needs a C compiler and nothing else (Node's headers are not on every machine that has Node).
typedef struct napi_env__ *napi_env;
typedef struct napi_value__ *napi_value;
typedef struct napi_callback_info__ *napi_callback_info;
typedef int napi_status;
typedef napi_value (*napi_callback)(napi_env, napi_callback_info);
napi_status napi_get_cb_info(napi_env, napi_callback_info, size_t *, napi_value *, napi_value *, void **);
napi_status napi_get_value_int32(napi_env, napi_value, int32_t *);
napi_status napi_create_int32(napi_env, int32_t, napi_value *);
napi_status napi_create_function(napi_env, const char *, size_t, napi_callback, void *, napi_value *);
napi_status napi_set_named_property(napi_env, napi_value, const char *, napi_value);

static napi_value int32(napi_env env, int32_t value) {
  napi_value result = NULL;
  napi_create_int32(env, value, &result);
  return result;
}

// setArenaMax(n): glibc's M_ARENA_MAX. 1 when set, 0 when refused. It bounds the arenas a
// thread takes from then on: one already taken stays.
static napi_value set_arena_max(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1] = {NULL};
  int32_t max = 0;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc < 1 || napi_get_value_int32(env, argv[0], &max) != 0 || max < 1) return int32(env, 0);
  return int32(env, mallopt(M_ARENA_MAX, max));
}

// arenaCount(): the arenas glibc has made in this process (main arena included), read from malloc_info's
// report (one <heap nr="..."> per arena); -1 when it cannot tell.
static napi_value arena_count(napi_env env, napi_callback_info info) {
  (void)info;
  char *report = NULL;
  size_t size = 0;
  FILE *stream = open_memstream(&report, &size);
  if (stream == NULL) return int32(env, -1);
  int ok = malloc_info(0, stream) == 0;
  fclose(stream);
  int32_t count = 0;
  for (const char *at = report; ok && at != NULL && (at = strstr(at, "<heap nr=")) != NULL; at++) count++;
  free(report);
  return int32(env, ok ? count : -1);
}

static void export_function(napi_env env, napi_value exports, const char *name, napi_callback callback) {
  napi_value fn = NULL;
  if (napi_create_function(env, name, (size_t)-1, callback, NULL, &fn) == 0) napi_set_named_property(env, exports, name, fn);
}

napi_value napi_register_module_v1(napi_env env, napi_value exports) {
  export_function(env, exports, "setArenaMax", set_arena_max);
  export_function(env, exports, "arenaCount", arena_count);
  return exports;
}
