# Installs the Microsoft Edge WebDriver (msedgedriver.exe) that matches this machine's WebView2
# Runtime, for the end-to-end tests on Windows (tauri-driver starts it). The driver has to match
# the runtime the app runs in, not the Edge browser: the two are installed and updated apart.
#
#   pwsh scripts/install-msedgedriver.ps1 [-Destination FOLDER]
#
# Prints the folder holding msedgedriver.exe; on GitHub Actions it also puts that folder first on
# PATH for the next steps (ahead of the runner image's own Edge driver). Downloads only from
# Microsoft's official driver endpoint, and checks the driver's Authenticode signature.
param(
  [string] $Destination = (Join-Path ([IO.Path]::GetTempPath()) 'switchboard-msedgedriver')
)
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'

# The WebView2 Runtime's version, where Microsoft's "Detect if a WebView2 Runtime is already
# installed" says to look: the EdgeUpdate client key of the runtime (per machine, 64- or 32-bit
# view, or per user), value pv. Failing those, the newest version folder of the runtime.
$client = '{F3017226-FE2A-4295-8BDF-00C3A9A7E4C5}'
$keys = @(
  "HKLM:\SOFTWARE\WOW6432Node\Microsoft\EdgeUpdate\Clients\$client",
  "HKLM:\SOFTWARE\Microsoft\EdgeUpdate\Clients\$client",
  "HKCU:\SOFTWARE\Microsoft\EdgeUpdate\Clients\$client"
)
$runtime = $keys |
  ForEach-Object { (Get-ItemProperty -Path $_ -Name pv -ErrorAction SilentlyContinue).pv } |
  Where-Object { $_ -and $_ -ne '0.0.0.0' } |
  Select-Object -First 1
if (-not $runtime) {
  $folder = Join-Path ${env:ProgramFiles(x86)} 'Microsoft\EdgeWebView\Application'
  $runtime = Get-ChildItem -Path $folder -Directory -ErrorAction SilentlyContinue |
    Where-Object { $_.Name -match '^\d+\.\d+\.\d+\.\d+$' } |
    Sort-Object { [version] $_.Name } -Descending |
    Select-Object -First 1 -ExpandProperty Name
}
if (-not $runtime) {
  throw 'No WebView2 Runtime found (no EdgeUpdate client key, no EdgeWebView folder): the app cannot run here.'
}
$major = ([version] $runtime).Major
Write-Output "WebView2 Runtime $runtime"

# The driver of exactly that version; Microsoft does not publish every build for every system,
# so otherwise the newest Windows driver of the same major version (what the runner images do).
$base = 'https://msedgedriver.microsoft.com'
New-Item -ItemType Directory -Force -Path $Destination | Out-Null
$zip = Join-Path $Destination 'edgedriver_win64.zip'
$driverVersion = $runtime
try {
  Invoke-WebRequest -Uri "$base/$runtime/edgedriver_win64.zip" -OutFile $zip
} catch {
  Write-Output "No driver published for $runtime ($($_.Exception.Message)); taking the newest of $major."
  $latest = Join-Path $Destination 'LATEST_RELEASE'
  Invoke-WebRequest -Uri "$base/LATEST_RELEASE_${major}_WINDOWS" -OutFile $latest
  # The file is UTF-16 with a byte order mark; Get-Content reads either.
  $driverVersion = (Get-Content -Path $latest -Raw).Trim()
  if ($driverVersion -notmatch '^\d+\.\d+\.\d+\.\d+$') {
    throw "LATEST_RELEASE_${major}_WINDOWS says '$driverVersion', not a version."
  }
  Invoke-WebRequest -Uri "$base/$driverVersion/edgedriver_win64.zip" -OutFile $zip
}
Expand-Archive -Path $zip -DestinationPath $Destination -Force
$driver = Join-Path $Destination 'msedgedriver.exe'

$signature = Get-AuthenticodeSignature -FilePath $driver
if ($signature.Status -ne 'Valid' -or $signature.SignerCertificate.Subject -notmatch 'O=Microsoft Corporation') {
  throw "msedgedriver.exe is not validly signed by Microsoft: $($signature.Status) $($signature.SignerCertificate.Subject)"
}
$reported = (& $driver --version | Out-String).Trim()
if ($reported -notmatch "\b$major\.\d+\.\d+\.\d+\b") {
  throw "The driver reports '$reported', not a $major.x version to match WebView2 $runtime."
}
Write-Output "$reported (for WebView2 $runtime) in $Destination"

if ($env:GITHUB_PATH) {
  $Destination | Out-File -FilePath $env:GITHUB_PATH -Append -Encoding utf8
}
