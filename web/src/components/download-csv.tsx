/** The button that saves a campaign's table as the file the CLI writes (sweep.csv, compare.csv, comparison.csv). */
import { downloadText } from '../download.ts';

export function DownloadCsv({ csv }: { csv?: { name: string; text: string } }) {
  if (!csv) return null;
  return (
    <button type="button" className="btn btn-small" data-testid="download-csv" onClick={() => downloadText(csv.name, csv.text)}>
      Download {csv.name}
    </button>
  );
}
