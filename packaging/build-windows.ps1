# Build TacroCalc for Windows: the one-folder PyInstaller bundle, its self-test, and the
# per-user installer dist\TacroCalc-VERSION-setup.exe (Inno Setup 6, iscc on PATH).
#   powershell -ExecutionPolicy Bypass -File packaging\build-windows.ps1
$ErrorActionPreference = "Stop"
Set-Location (Split-Path -Parent $PSScriptRoot)

if (-not (Test-Path .venv)) { python -m venv .venv }
$py = ".venv\Scripts\python.exe"
& $py -m pip install --quiet --upgrade pip
& $py -m pip install --quiet -e ".[test]" "pyinstaller==6.22.3"
if ($LASTEXITCODE) { throw "pip install failed" }
$env:QT_QPA_PLATFORM = "offscreen"
& $py -m pytest -q
if ($LASTEXITCODE) { throw "tests failed" }

$version = & $py -c "import tomllib; print(tomllib.load(open('pyproject.toml','rb'))['project']['version'])"
New-Item -ItemType Directory -Force build | Out-Null
& $py -c "from PIL import Image; Image.open('resources/icons/tacrocalc.png').save('build/tacrocalc.ico', sizes=[(16,16),(32,32),(48,48),(256,256)])"
& .venv\Scripts\pyinstaller.exe --noconfirm --clean --log-level WARN --distpath dist --workpath build\pyinstaller packaging\tacrocalc.spec
if ($LASTEXITCODE) { throw "pyinstaller failed" }

& dist\tacrocalc\tacrocalc.exe --self-test
if ($LASTEXITCODE) { throw "the frozen self-test failed" }
$work = Join-Path $env:TEMP ("tacrocalc-" + [guid]::NewGuid())
& dist\tacrocalc\tacrocalc.exe --data-dir "$work\data" plan resources\examples\example-patient.json --today 2026-01-20 --out "$work\plan.pdf"
if ($LASTEXITCODE -or -not (Test-Path "$work\plan.pdf")) { throw "the frozen plan failed" }

Push-Location packaging\windows
iscc "/DAppVersion=$version" tacrocalc.iss
if ($LASTEXITCODE) { throw "iscc failed" }
Pop-Location
Write-Host "built dist\TacroCalc-$version-setup.exe"
