// What this version of the page offers beyond orders. The case pages (a case's conversation and
// the reply box, My cases) and the agents' console need the case routes of the API; when they
// are served, their views register here and these switch on.
export const features = {
  /** #/cases and #/cases/:case_id: a case's conversation; case cards link to it. */
  caseConversations: false,
  /** #/agent: the queue and a case with its internal notes. */
  agentConsole: false,
};
