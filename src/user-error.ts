/** An error whose message is written for the user: one line that says what happened and what to do. */
export class UserFacingError extends Error {}
