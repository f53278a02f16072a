/** The manifest of the results on screen: scenario, seed, overrides, version, and the CLI command that reproduces them. */
import type { CampaignManifest } from '../../../sim/server/campaign-types.ts';

export function ParamsManifest({ manifest, runs }: { manifest: CampaignManifest; runs: number }) {
  return (
    <dl className="manifest" data-testid="manifest">
      <dt>scenario</dt>
      <dd>{manifest.scenario}</dd>
      <dt>seed</dt>
      <dd data-testid="manifest-seed">{manifest.seed}</dd>
      <dt>overrides</dt>
      <dd data-testid="manifest-sets">{manifest.sets.length ? manifest.sets.join('  ') : 'none'}</dd>
      <dt>runs</dt>
      <dd>{runs}</dd>
      <dt>version</dt>
      <dd>reglab {manifest.reglabVersion}</dd>
      <dt>command line</dt>
      <dd>
        <code data-testid="manifest-command">{manifest.command}</code>
      </dd>
    </dl>
  );
}
