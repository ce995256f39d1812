// The headers every subgraph request carries, whichever gateway sends it.

// Read once at start. Subgraphs that know this secret can tell a request came through a
// gateway; an empty value counts as unset, since an empty secret proves nothing.
const GATEWAY_SECRET = process.env.PADU_GATEWAY_SECRET || null;

// Only these client headers reach a subgraph: a client cannot send its own
// X-Padu-Gateway-Secret through, nor anything else a subgraph might trust.
const FROM_CLIENT = ['authorization', 'x-request-id'];

/**
 * Headers for one subgraph request: the client's `Authorization` and `X-Request-Id` when it
 * sent them, and `X-Padu-Gateway-Secret` when PADU_GATEWAY_SECRET is set.
 * `clientHeader(name)` returns one header of the client's request by lower-case name.
 */
export function subgraphHeaders(clientHeader) {
  const headers = {};
  for (const name of FROM_CLIENT) {
    const value = clientHeader(name);
    if (value) headers[name] = value;
  }
  if (GATEWAY_SECRET) headers['x-padu-gateway-secret'] = GATEWAY_SECRET;
  return headers;
}
