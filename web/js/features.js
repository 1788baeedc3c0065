// What this version of the page offers beyond orders: the case pages (a case's conversation and
// its reply box, My cases) and the agents' console, on the API's case routes.
export const features = {
  /** #/cases and #/cases/:case_id: a case's conversation; case cards link to it. */
  caseConversations: true,
  /** #/agent: the queue by status and a case with its internal notes and the order. */
  agentConsole: true,
};
