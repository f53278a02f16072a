/**
 * Bad campaign input (usage, queue URL, shard spec, a result directory of another campaign): exit 2
 * with a message that names the thing and the fix. Codes are listed in sim/errors.ts.
 */
export class CampaignError extends Error {
  constructor(
    readonly code: 'E_USAGE' | 'E_QUEUE' | 'E_CAMPAIGN',
    message: string,
  ) {
    super(message);
    this.name = 'CampaignError';
  }
}
