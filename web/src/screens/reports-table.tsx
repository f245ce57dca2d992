import { DISPOSITIONS } from '../../../src/core/rows.js';
import { formatDuration } from '../lib/format.js';
import { DISPOSITION_LABEL } from '../lib/labels.js';
import { formatRate, type Report, type ReportFigures } from '../lib/report-api.js';

const describeDispositions = (counts: ReportFigures['dispositions']) =>
  DISPOSITIONS.filter((d) => (counts[d] ?? 0) > 0)
    .map((d) => `${DISPOSITION_LABEL[d]} ${counts[d] ?? 0}`)
    .join(', ') || '—';

function Figures({ figures }: { figures: ReportFigures }) {
  return (
    <>
      <td data-label="Dials">{figures.dials}</td>
      <td data-label="Connects">{figures.connects}</td>
      <td data-label="Connect rate">{formatRate(figures)}</td>
      <td data-label="Talk time">{formatDuration(figures.talkSeconds)}</td>
      <td data-label="Voicemails">{figures.voicemails}</td>
      <td data-label="No answer">{figures.noAnswers}</td>
      <td data-label="Busy">{figures.busy}</td>
      <td data-label="Failed">{figures.failed}</td>
      <td data-label="Canceled">{figures.canceled}</td>
      <td data-label="Abandoned">{figures.abandoned}</td>
      <td data-label="Dispositions" className="notes-cell">
        {describeDispositions(figures.dispositions)}
      </td>
    </>
  );
}

/** A report's rows (one per rep or day) and its totals. */
export function ReportsTable({ report, keyLabel }: { report: Report; keyLabel: string }) {
  return (
    <table className="table table--cards" aria-label="Report">
      <thead>
        <tr>
          <th scope="col">{keyLabel}</th>
          <th scope="col">Dials</th>
          <th scope="col">Connects</th>
          <th scope="col">Connect rate</th>
          <th scope="col">Talk time</th>
          <th scope="col">Voicemails</th>
          <th scope="col">No answer</th>
          <th scope="col">Busy</th>
          <th scope="col">Failed</th>
          <th scope="col">Canceled</th>
          <th scope="col">Abandoned</th>
          <th scope="col">Dispositions</th>
        </tr>
      </thead>
      <tbody>
        {report.rows.map((row) => (
          <tr key={row.key ?? 'none'} data-testid="report-row" data-key={row.key ?? ''}>
            <th scope="row" data-label={keyLabel} className="strong">
              {row.label === undefined ? row.key : `${row.label}${row.isArchived ? ' (archived)' : ''}`}
            </th>
            <Figures figures={row} />
          </tr>
        ))}
      </tbody>
      <tfoot>
        <tr data-testid="report-totals">
          <th scope="row" data-label={keyLabel}>
            Total
          </th>
          <Figures figures={report.totals} />
        </tr>
      </tfoot>
    </table>
  );
}
