// What this version of the page links to beyond orders: the case pages (a case's conversation
// and its reply box, My cases) and the agents' console, on the API's case routes. Off, case
// cards show no link to a conversation and the header menu offers neither.
export const features = {
  /** #/cases and #/cases/:case_id: My cases in the menu; case cards link to their conversation. */
  caseConversations: true,
  /** #/agent: the queue by status and a case with its internal notes and the order. */
  agentConsole: true,
};
