// Padu's GraphiQL playground: the vendored GraphiQL (./vendor/) with Padu's examples, which the
// page carries as JSON in #padu-examples. Nothing is fetched from another origin.
(function () {
  "use strict";

  const examples = JSON.parse(document.getElementById("padu-examples").textContent);

  // A shared link carries its query and variables in the URL (?q=…&variables=…).
  const parameters = Object.fromEntries(new URLSearchParams(window.location.search));

  function updateURL(changed) {
    Object.assign(parameters, changed);
    const kept = Object.entries(parameters).filter(([, value]) => Boolean(value));
    history.replaceState(null, "", "?" + new URLSearchParams(kept).toString());
  }

  const url = window.location.href.split(/[?#]/)[0];
  const subscriptionUrl = url.replace(/^http/, "ws");
  // What the Headers tab shows: GraphiQL starts it from this and reports every edit (a change
  // of tab included) through onEditHeaders.
  let headers = parameters.headers || examples.headers;

  // A WebSocket carries no headers: subscriptions sign in with the Headers tab's
  // Authorization, sent as connection_init's payload each time the socket opens.
  function connectionParams() {
    try {
      return JSON.parse(headers || "{}");
    } catch {
      return {};
    }
  }

  const fetcher = GraphiQL.createFetcher({
    url,
    subscriptionUrl,
    wsConnectionParams: connectionParams,
  });
  const explorer = GraphiQLPluginExplorer.explorerPlugin();

  function Playground() {
    const [query, setQuery] = React.useState(parameters.q || examples.query);
    const [variables, setVariables] = React.useState(parameters.variables || examples.variables);
    return React.createElement(GraphiQL, {
      fetcher,
      plugins: [explorer],
      query,
      variables,
      headers,
      onEditQuery(edited) {
        setQuery(edited);
        updateURL({ q: edited });
      },
      onEditVariables(edited) {
        setVariables(edited);
        updateURL({ variables: edited });
      },
      onEditHeaders(edited) {
        headers = edited;
      },
      defaultEditorToolsVisibility: true,
      inputValueDeprecation: true,
      isHeadersEditorEnabled: true,
      shouldPersistHeaders: true,
    });
  }

  ReactDOM.createRoot(document.getElementById("graphiql")).render(React.createElement(Playground));
})();
