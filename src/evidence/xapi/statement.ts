// The subset of the xAPI 2.0 statement model (IEEE 9274.1.1) that Maskinport
// emits. validate.ts checks any statement, not only these shapes.

export type LanguageMap = Record<string, string>;

export type AccountAgent = {
  objectType: "Agent";
  /** Pseudonymous by design: never mbox, never a name. */
  account: { homePage: string; name: string };
};

export type Activity = {
  objectType: "Activity";
  id: string;
  definition?: {
    name?: LanguageMap;
    description?: LanguageMap;
    type?: string;
    moreInfo?: string;
    extensions?: Record<string, unknown>;
  };
};

export type Statement = {
  id: string;
  actor: AccountAgent;
  verb: { id: string; display: LanguageMap };
  object: Activity;
  result?: {
    success?: boolean;
    completion?: boolean;
    duration?: string;
    response?: string;
    extensions?: Record<string, unknown>;
  };
  context?: {
    registration?: string;
    instructor?: AccountAgent;
    platform?: string;
    language?: string;
    contextActivities?: {
      parent?: Activity[];
      grouping?: Activity[];
      category?: Activity[];
      other?: Activity[];
    };
    extensions?: Record<string, unknown>;
  };
  timestamp: string;
};
