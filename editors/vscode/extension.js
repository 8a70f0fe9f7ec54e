// Starts `insp lsp` for .insp policies and JSON evidence files.
const vscode = require("vscode");
const { LanguageClient } = require("vscode-languageclient/node");

let client;

function activate(context) {
  const config = vscode.workspace.getConfiguration("insp");
  const command = config.get("path") || "insp";
  const policy = config.get("policy");
  const server = { command, args: ["lsp"] };
  client = new LanguageClient(
    "insp",
    "insp",
    { run: server, debug: server },
    {
      documentSelector: [
        { scheme: "file", language: "insp" },
        { scheme: "file", language: "json" },
      ],
      initializationOptions: {
        ...(policy ? { policy } : {}),
        analysisBudgetMs: config.get("analysisBudgetMs"),
      },
    },
  );
  context.subscriptions.push(client);
  return client.start();
}

function deactivate() {
  return client ? client.stop() : undefined;
}

module.exports = { activate, deactivate };
